ALTER TABLE "retro_hunts" ADD COLUMN "post_cursor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "retro_hunts" ADD COLUMN "document_cursor" bigint DEFAULT 0 NOT NULL;