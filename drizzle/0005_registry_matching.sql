CREATE TABLE "content_fingerprints" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "content_fingerprints_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"post_id" bigint NOT NULL,
	"document_id" bigint,
	"sha256" text,
	"minhash" "bytea" NOT NULL,
	"bands" bigint[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "content_fingerprints_postId_documentId_unique" UNIQUE NULLS NOT DISTINCT("post_id","document_id")
);
--> statement-breakpoint
CREATE TABLE "retro_hunts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "retro_hunts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"org_id" bigint,
	"reason" text NOT NULL,
	"since" timestamp with time zone,
	"status" text DEFAULT 'running' NOT NULL,
	"posts_total" integer DEFAULT 0 NOT NULL,
	"posts_done" integer DEFAULT 0 NOT NULL,
	"documents_total" integer DEFAULT 0 NOT NULL,
	"documents_done" integer DEFAULT 0 NOT NULL,
	"documents_skipped" integer DEFAULT 0 NOT NULL,
	"changes" jsonb DEFAULT '{"created":0,"grown":0}'::jsonb NOT NULL,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "matches" ADD COLUMN "details" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "patient_id_pattern" text;--> statement-breakpoint
ALTER TABLE "content_fingerprints" ADD CONSTRAINT "content_fingerprints_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "content_fingerprints" ADD CONSTRAINT "content_fingerprints_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retro_hunts" ADD CONSTRAINT "retro_hunts_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "content_fingerprints_sha256_index" ON "content_fingerprints" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "content_fingerprints_bands_idx" ON "content_fingerprints" USING gin ("bands");--> statement-breakpoint
CREATE INDEX "retro_hunts_started_at_index" ON "retro_hunts" USING btree ("started_at");