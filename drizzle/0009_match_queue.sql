CREATE TABLE "post_match_queue" (
	"post_id" bigint PRIMARY KEY NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"generation" integer DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "post_match_queue" ADD CONSTRAINT "post_match_queue_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "post_match_queue_next_attempt_at_index" ON "post_match_queue" USING btree ("next_attempt_at");--> statement-breakpoint
-- Work an older version recorded but never matched is picked up once: posts without a fingerprint of their own text
-- (`leakwatch crawl` recorded them without matching; a short post matched before is only read again, idempotently),
-- and read files some linking post has no fingerprint for (`documents process` read them without matching) go back
-- to `stored`, to be read and matched, while their raw file is kept.
INSERT INTO "post_match_queue" ("post_id")
SELECT p."id" FROM "posts" p
WHERE NOT EXISTS (
  SELECT 1 FROM "content_fingerprints" f WHERE f."post_id" = p."id" AND f."document_id" IS NULL
)
ON CONFLICT DO NOTHING;--> statement-breakpoint
UPDATE "documents" d
SET "status" = 'stored', "next_attempt_at" = NULL, "lease_owner" = NULL, "lease_until" = NULL
WHERE d."status" IN ('extracted', 'needs_ocr')
  AND d."sha256" IS NOT NULL
  AND d."raw_deleted_at" IS NULL
  AND d."sniffed_type" IS DISTINCT FROM 'directory_listing'
  AND EXISTS (
    SELECT 1 FROM "post_documents" l
    WHERE l."document_id" = d."id"
      AND NOT EXISTS (
        SELECT 1 FROM "content_fingerprints" f WHERE f."post_id" = l."post_id" AND f."document_id" = d."id"
      )
  );
