#!/bin/sh
# Prepares PostgreSQL for the client benchmark's ShareDB + PostgreSQL server (run as root):
# installs and starts PostgreSQL 15 when it is missing or down, creates the role and database
# `tandem_bench` (password `tandem_bench`, loopback only) and sharedb-postgres's two tables.
# Then run the benchmark with
#   PG=postgres://tandem_bench:tandem_bench@127.0.0.1:5432/tandem_bench
# The tables are emptied by the benchmark's ShareDB server at each start.
set -eu
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update && apt-get install -y postgresql
fi
pg_ctlcluster 15 main status >/dev/null 2>&1 || pg_ctlcluster 15 main start
psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -qAt $*"; }
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_roles WHERE rolname = 'tandem_bench'\"")" != 1 ]; then
  psql_admin "-c \"CREATE ROLE tandem_bench LOGIN PASSWORD 'tandem_bench'\""
fi
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname = 'tandem_bench'\"")" != 1 ]; then
  psql_admin "-c \"CREATE DATABASE tandem_bench OWNER tandem_bench\""
fi
# The schema of sharedb-postgres 5 (its structure.sql with its v5 migration applied).
PGPASSWORD=tandem_bench psql -v ON_ERROR_STOP=1 -q -h 127.0.0.1 -U tandem_bench tandem_bench <<'SQL'
CREATE TABLE IF NOT EXISTS ops (
  collection character varying(255) not null,
  doc_id character varying(255) not null,
  version integer not null,
  operation jsonb not null,
  PRIMARY KEY (collection, doc_id, version)
);
CREATE TABLE IF NOT EXISTS snapshots (
  collection character varying(255) not null,
  doc_id character varying(255) not null,
  doc_type character varying(255),
  version integer not null,
  data jsonb,
  metadata jsonb,
  PRIMARY KEY (collection, doc_id)
);
SQL
echo "PG=postgres://tandem_bench:tandem_bench@127.0.0.1:5432/tandem_bench"
