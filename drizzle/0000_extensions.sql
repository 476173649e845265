-- Hand-written: extensions and the accent-insensitive search configuration the generated migrations rely on.
-- On PGlite the extensions are loaded by the constructor (src/store/db.ts); CREATE EXTENSION then only registers them.
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
-- unaccent() is only STABLE, so it cannot sit in an index or generated column; this wrapper pins the dictionary.
CREATE OR REPLACE FUNCTION leakwatch_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT unaccent('unaccent'::regdictionary, $1) $$;
--> statement-breakpoint
-- Search configuration: no stemming (leak posts mix languages and names), accents and case folded.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'leakwatch_fts') THEN
    CREATE TEXT SEARCH CONFIGURATION leakwatch_fts (COPY = simple);
    ALTER TEXT SEARCH CONFIGURATION leakwatch_fts
      ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH unaccent, simple;
  END IF;
END
$$;
