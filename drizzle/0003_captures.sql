CREATE TABLE "captures" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "captures_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"site_id" text NOT NULL,
	"run_id" bigint,
	"post_id" bigint,
	"kind" text NOT NULL,
	"url" text NOT NULL,
	"http_status" integer,
	"body_sha256" text,
	"screenshot_sha256" text,
	"bytes" integer DEFAULT 0 NOT NULL,
	"captured_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "crawl_runs" ALTER COLUMN "bytes_fetched" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "captures" ADD CONSTRAINT "captures_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "captures" ADD CONSTRAINT "captures_run_id_crawl_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."crawl_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "captures" ADD CONSTRAINT "captures_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "captures_post_id_index" ON "captures" USING btree ("post_id");--> statement-breakpoint
CREATE INDEX "captures_run_id_index" ON "captures" USING btree ("run_id");--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_parent_alert_id_alerts_id_fk" FOREIGN KEY ("parent_alert_id") REFERENCES "public"."alerts"("id") ON DELETE set null ON UPDATE no action;