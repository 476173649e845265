ALTER TABLE "sites" ADD COLUMN "crawl_lease_owner" text;--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "crawl_lease_until" timestamp with time zone;