"""Who may read what in the serving database (docs/bi.md), set again after every refresh by the loader.

- `bi_reader` reads public_marts; `analyst` public_marts and analyst; `auditor` all three tiers. None may write: the
  loader (the cluster's superuser) owns every table, and no other role holds more than SELECT or may create objects.
- Providers: one login role per AGB code, `provider_<agb>`, member of the group role `provider`, created for every
  provider the public tier names. Row-level security shows such a role, in every public_marts table that names
  providers (a provider_agb column; scope_type/scope_code or driver_type/driver_code pairs naming 'provider'), only
  rows naming no other provider: its own, and the region-level rows unless the region hides them
  (SERVING_PROVIDER_REGION_ROWS=hidden, which also hides the tables without provider rows except the dimensions).
  A role per code, not one role with a session setting: a provider given SQL access could change a setting.
"""

from __future__ import annotations

import re

import psycopg
from psycopg import sql

READER_SCHEMAS = {
    "bi_reader": ("public_marts",),
    "analyst": ("public_marts", "analyst"),
    "auditor": ("public_marts", "analyst", "audit"),
}
PROVIDER_GROUP = "provider"
PROVIDER_ROLE_PREFIX = "provider_"
PUBLIC_SCHEMA = "public_marts"
# Column pairs whose second column holds an AGB code when the first says 'provider'.
PROVIDER_PAIRS = (("scope_type", "scope_code"), ("driver_type", "driver_code"))
AGB_CODE = re.compile(r"[0-9A-Za-z]{1,20}")
# The AGB code of the provider role running the query, null for every other role.
CURRENT_PROVIDER = sql.SQL("substring(current_user from {})").format(sql.Literal(f"^{PROVIDER_ROLE_PREFIX}(.+)$"))


def provider_keys(columns: set[str]) -> list[sql.Composable]:
    """The expressions giving the AGB code a row names (null when it names none), for a table with `columns`."""
    keys: list[sql.Composable] = []
    if "provider_agb" in columns:
        keys.append(sql.Identifier("provider_agb"))
    for kind, code in PROVIDER_PAIRS:
        if {kind, code} <= columns:
            keys.append(
                sql.SQL("case when {} = 'provider' then {} end").format(sql.Identifier(kind), sql.Identifier(code))
            )
    return keys


def provider_policy(keys: list[sql.Composable], region_rows: bool) -> sql.Composable:
    """Visible to a provider: no key names another provider, and one names this provider or region rows are shown."""
    no_other = sql.SQL(" and ").join(
        sql.SQL("({key} is null or {key} = {me})").format(key=key, me=CURRENT_PROVIDER) for key in keys
    )
    if region_rows:
        return no_other
    own = sql.SQL(" or ").join(sql.SQL("{} = {}").format(key, CURRENT_PROVIDER) for key in keys)
    return sql.SQL("{} and ({})").format(no_other, own)


def ensure_role(pg: psycopg.Connection, name: str, login: bool, member_of: str | None = None) -> None:
    if pg.execute("select 1 from pg_roles where rolname = %s", [name]).fetchone():
        return
    pg.execute(
        sql.SQL("create role {} {} nosuperuser nocreatedb nocreaterole noreplication{}").format(
            sql.Identifier(name),
            sql.SQL("login" if login else "nologin"),
            sql.SQL(" in role {}").format(sql.Identifier(member_of)) if member_of else sql.SQL(""),
        )
    )


def grant(pg: psycopg.Connection, provider_region_rows: bool) -> None:
    """Roles, grants and row-level security on the freshly swapped-in schemas (inside the loader's transaction)."""
    for role in READER_SCHEMAS:
        ensure_role(pg, role, login=True)
    ensure_role(pg, PROVIDER_GROUP, login=False)
    database = sql.Identifier(pg.info.dbname)
    # Only the serving roles connect; none may create anything, temporary tables included.
    pg.execute(sql.SQL("revoke all on database {} from public").format(database))
    pg.execute(sql.SQL("revoke create on schema public from public"))
    for role, schemas in READER_SCHEMAS.items():
        pg.execute(sql.SQL("grant connect on database {} to {}").format(database, sql.Identifier(role)))
        for schema in schemas:
            pg.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(schema), sql.Identifier(role)))
            pg.execute(
                sql.SQL("grant select on all tables in schema {} to {}").format(
                    sql.Identifier(schema), sql.Identifier(role)
                )
            )
    pg.execute(sql.SQL("grant connect on database {} to {}").format(database, sql.Identifier(PROVIDER_GROUP)))
    pg.execute(
        sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(PUBLIC_SCHEMA), sql.Identifier(PROVIDER_GROUP))
    )
    providers: set[str] = set()
    for table, columns in _public_tables(pg).items():
        keys = provider_keys(columns)
        target = sql.Identifier(PUBLIC_SCHEMA, table)
        if keys:
            _secure(pg, target, keys, provider_region_rows)
            for key in keys:
                found = pg.execute(sql.SQL("select distinct {} from {} where {} is not null").format(key, target, key))
                providers.update(code for (code,) in found)
        elif not provider_region_rows and not table.startswith("dim_"):
            continue
        pg.execute(sql.SQL("grant select on {} to {}").format(target, sql.Identifier(PROVIDER_GROUP)))
    for code in sorted(providers):
        if AGB_CODE.fullmatch(code):
            ensure_role(pg, PROVIDER_ROLE_PREFIX + code, login=True, member_of=PROVIDER_GROUP)


def _public_tables(pg: psycopg.Connection) -> dict[str, set[str]]:
    columns: dict[str, set[str]] = {}
    query = "select table_name, column_name from information_schema.columns where table_schema = %s"
    for table, column in pg.execute(query, [PUBLIC_SCHEMA]):
        columns.setdefault(table, set()).add(column)
    return columns


def _secure(pg: psycopg.Connection, target: sql.Identifier, keys: list[sql.Composable], region_rows: bool) -> None:
    pg.execute(sql.SQL("alter table {} enable row level security").format(target))
    readers = sql.SQL(", ").join(sql.Identifier(role) for role in READER_SCHEMAS)
    pg.execute(sql.SQL("create policy region_readers on {} for select to {} using (true)").format(target, readers))
    pg.execute(
        sql.SQL("create policy own_provider_rows on {} for select to {} using ({})").format(
            target, sql.Identifier(PROVIDER_GROUP), provider_policy(keys, region_rows)
        )
    )
