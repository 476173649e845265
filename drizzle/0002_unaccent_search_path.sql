-- Hand-written. 0000_extensions defined leakwatch_unaccent() with unqualified names, resolved through search_path.
-- PostgreSQL 17+ (PGlite is 18) runs index builds, ANALYZE, VACUUM and REINDEX with search_path = pg_catalog, pg_temp,
-- so an index on leakwatch_unaccent(...) failed with `text search dictionary "unaccent" does not exist`.
-- Qualify both the function and the dictionary with the schema the unaccent extension lives in (public unless a DBA
-- installed it elsewhere). Schema-qualifying, rather than SET search_path on the function, keeps it inlinable.
DO $migration$
DECLARE
  ext_schema text;
BEGIN
  SELECT n.nspname INTO STRICT ext_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
   WHERE e.extname = 'unaccent';
  EXECUTE format(
    'CREATE OR REPLACE FUNCTION leakwatch_unaccent(text) RETURNS text
       LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $fn$ SELECT %I.unaccent(%L::regdictionary, $1) $fn$',
    ext_schema,
    quote_ident(ext_schema) || '.unaccent'
  );
END
$migration$;
