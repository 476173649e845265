DROP INDEX "documents_status_index";--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "warnings" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "downloaded_bytes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "expected_bytes" bigint;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "lease_owner" text;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "lease_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "parent_id" bigint;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "listing_depth" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "stored_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "raw_deleted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_parent_id_documents_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."documents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "documents_status_next_attempt_at_index" ON "documents" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "documents_parent_id_index" ON "documents" USING btree ("parent_id");