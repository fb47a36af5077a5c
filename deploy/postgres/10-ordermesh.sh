#!/usr/bin/env bash
# The app's own role and database, next to Temporal's (`temporal`, `temporal_visibility`,
# created by temporalio/auto-setup). The postgres image runs this once, on the first
# start with an empty data volume; change APP_DB_PASSWORD after that with ALTER ROLE.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE ordermesh LOGIN PASSWORD :'app_password';
CREATE DATABASE ordermesh OWNER ordermesh;
SQL
