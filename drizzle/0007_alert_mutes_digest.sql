CREATE TABLE "alert_mutes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "alert_mutes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"org_id" bigint,
	"term_id" bigint,
	"site_id" text,
	"post_id" bigint,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alert_mutes_kind_orgId_termId_siteId_postId_unique" UNIQUE NULLS NOT DISTINCT("kind","org_id","term_id","site_id","post_id")
);
--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "site_id" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "digest" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_mutes" ADD CONSTRAINT "alert_mutes_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_mutes" ADD CONSTRAINT "alert_mutes_term_id_watch_terms_id_fk" FOREIGN KEY ("term_id") REFERENCES "public"."watch_terms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_mutes" ADD CONSTRAINT "alert_mutes_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_mutes" ADD CONSTRAINT "alert_mutes_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alerts_org_id_post_id_index" ON "alerts" USING btree ("org_id","post_id");--> statement-breakpoint
-- Alerts written before this migration: their site is their post's.
UPDATE "alerts" SET "site_id" = "posts"."site_id" FROM "posts" WHERE "posts"."id" = "alerts"."post_id";