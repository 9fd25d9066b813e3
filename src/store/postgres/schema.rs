//! The schema, created and migrated at start-up: numbered migrations, applied in order, each
//! recorded in `livescore_schema_version`.
//!
//! Every node of a cluster runs this when it starts, possibly at the same moment as the others,
//! so the whole migration runs in one transaction under an advisory lock: the first node
//! migrates, the others wait and then find nothing left to do.

use tokio_postgres::Client;

use crate::store::postgres::PgError;

/// The advisory lock key every node takes while migrating ("livescor" in ASCII).
const MIGRATION_LOCK: i64 = 0x6c69_7665_7363_6f72;

/// Schema versions, applied in order; version `n` is `MIGRATIONS[n - 1]`. Never edit one that
/// has shipped: add the next.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4];

/// 1: the stream's head row, the event log, the batch index, snapshots, and the append
/// function that is the only way events get in.
const V1: &str = r#"
-- One row: the stream id (a changed one means ids already handed out name other events), the
-- head (the seq of the newest committed event) and the generator epoch. Every append locks this
-- row, which is what puts all appends of all nodes in one order.
CREATE TABLE livescore_meta (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    stream text NOT NULL,
    head bigint NOT NULL CHECK (head >= 0),
    epoch bigint NOT NULL DEFAULT 0 CHECK (epoch >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The columns of the SQLite store's events table, plus the batch each event came in.
CREATE TABLE livescore_events (
    seq bigint PRIMARY KEY,
    batch_id text NOT NULL,
    at text NOT NULL,
    type text NOT NULL,
    kind text NOT NULL,
    match_id bigint,
    leagues text NOT NULL,
    json text NOT NULL
);

-- Every committed batch, so that an append whose commit outcome was lost with the connection
-- can be looked up; also refuses a batch id used twice. A row with a NULL head is a batch
-- looked up and found missing: it is settled as never appended, and a late arrival of its
-- append fails on the primary key instead of landing after the caller was told "not in".
CREATE TABLE livescore_batches (
    batch_id text PRIMARY KEY,
    first_seq bigint,
    head bigint,
    epoch bigint,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX livescore_batches_head ON livescore_batches (head);

CREATE TABLE livescore_snapshots (
    seq bigint PRIMARY KEY,
    at text NOT NULL,
    state text NOT NULL
);

-- Compare-and-append at the head, in the caller's one statement (so one transaction):
-- lock the head row, check the generator's fence, compare the head, insert the batch at the
-- seqs after it, move the head. A lost race or a stale epoch changes nothing and says what the
-- head and the epoch really are. `expected_epoch` is NULL for batches not from the generator.
CREATE FUNCTION livescore_append(
    expected_head bigint,
    batch text,
    expected_epoch bigint,
    event_ats text[],
    event_types text[],
    event_kinds text[],
    event_match_ids bigint[],
    event_leagues text[],
    event_jsons text[]
) RETURNS TABLE (outcome text, at_head bigint, at_epoch bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    meta livescore_meta%ROWTYPE;
    n integer := coalesce(cardinality(event_jsons), 0);
BEGIN
    IF n = 0 THEN
        RAISE EXCEPTION 'livescore_append: batch % has no events', batch;
    END IF;
    IF coalesce(cardinality(event_ats), 0) <> n OR coalesce(cardinality(event_types), 0) <> n
        OR coalesce(cardinality(event_kinds), 0) <> n
        OR coalesce(cardinality(event_match_ids), 0) <> n
        OR coalesce(cardinality(event_leagues), 0) <> n THEN
        RAISE EXCEPTION 'livescore_append: batch % has columns of different lengths', batch;
    END IF;

    SELECT * INTO meta FROM livescore_meta WHERE singleton FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'livescore_append: no stream has been created';
    END IF;
    IF expected_epoch IS NOT NULL AND expected_epoch <> meta.epoch THEN
        RETURN QUERY SELECT 'fenced'::text, meta.head, meta.epoch;
        RETURN;
    END IF;
    IF expected_head IS DISTINCT FROM meta.head THEN
        RETURN QUERY SELECT 'conflict'::text, meta.head, meta.epoch;
        RETURN;
    END IF;

    INSERT INTO livescore_events (seq, batch_id, at, type, kind, match_id, leagues, json)
    SELECT expected_head + e.ord, batch, e.at, e.type, e.kind, e.match_id, e.leagues, e.json
    FROM unnest(event_ats, event_types, event_kinds, event_match_ids, event_leagues, event_jsons)
        WITH ORDINALITY AS e(at, type, kind, match_id, leagues, json, ord);
    INSERT INTO livescore_batches (batch_id, first_seq, head, epoch)
    VALUES (batch, expected_head + 1, expected_head + n, expected_epoch);
    UPDATE livescore_meta SET head = expected_head + n WHERE singleton;
    RETURN QUERY SELECT 'appended'::text, expected_head + n, meta.epoch;
END
$fn$;
"#;

/// 2: the generator's settings as shared state (`generator.control` taken by any node; the
/// leader, whichever it is, follows them). NULL: not set, each node's own flags apply.
const V2: &str = r#"
ALTER TABLE livescore_meta
    ADD COLUMN generator_running boolean,
    ADD COLUMN generator_speed double precision;
"#;

/// 3: matches and news that left the live window (the calendar's archive), written by the
/// append that carries their `archived` event, so the archive never disagrees with the log.
const V3: &str = r#"
CREATE TABLE livescore_archived_matches (
    id bigint PRIMARY KEY,
    kickoff bigint NOT NULL,
    json text NOT NULL
);
CREATE INDEX livescore_archived_matches_kickoff ON livescore_archived_matches (kickoff);
CREATE TABLE livescore_archived_news (
    id bigint PRIMARY KEY,
    match_id bigint,
    json text NOT NULL
);
CREATE INDEX livescore_archived_news_match ON livescore_archived_news (match_id, id);

CREATE FUNCTION livescore_append_archiving(
    expected_head bigint,
    batch text,
    expected_epoch bigint,
    event_ats text[],
    event_types text[],
    event_kinds text[],
    event_match_ids bigint[],
    event_leagues text[],
    event_jsons text[],
    archived_match_ids bigint[],
    archived_kickoffs bigint[],
    archived_match_jsons text[],
    archived_news_ids bigint[],
    archived_news_match_ids bigint[],
    archived_news_jsons text[]
) RETURNS TABLE (outcome text, at_head bigint, at_epoch bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    appended record;
BEGIN
    SELECT * INTO appended FROM livescore_append(expected_head, batch, expected_epoch, event_ats,
        event_types, event_kinds, event_match_ids, event_leagues, event_jsons) AS a;
    IF appended.outcome = 'appended' THEN
        INSERT INTO livescore_archived_matches (id, kickoff, json)
        SELECT m.id, m.kickoff, m.json
        FROM unnest(archived_match_ids, archived_kickoffs, archived_match_jsons)
            AS m(id, kickoff, json)
        ON CONFLICT (id) DO UPDATE SET kickoff = EXCLUDED.kickoff, json = EXCLUDED.json;
        INSERT INTO livescore_archived_news (id, match_id, json)
        SELECT n.id, n.match_id, n.json
        FROM unnest(archived_news_ids, archived_news_match_ids, archived_news_jsons)
            AS n(id, match_id, json)
        ON CONFLICT (id) DO UPDATE SET match_id = EXCLUDED.match_id, json = EXCLUDED.json;
    END IF;
    RETURN QUERY SELECT appended.outcome, appended.at_head, appended.at_epoch;
END
$fn$;
"#;

/// 4: the settings every node must share (its live window: `--timezone`, `--window-back-days`,
/// `--window-ahead-days`, `--live-news`), recorded by the first node to start, checked by every
/// node after it (`settings.rs`).
const V4: &str = r#"
CREATE TABLE livescore_settings (
    name text PRIMARY KEY,
    value text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
"#;

/// Bring the schema up to date; returns the version it is at. Refuses a schema newer than this
/// build knows, rather than guess at it.
pub async fn migrate(client: &mut Client, target: &str) -> Result<usize, PgError> {
    let fail = |doing: &'static str| {
        move |source| PgError::Query {
            target: target.to_owned(),
            doing,
            source,
        }
    };
    let tx = client
        .transaction()
        .await
        .map_err(fail("begin the migration"))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(fail("take the migration lock"))?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS livescore_schema_version (
             version integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await
    .map_err(fail("create the schema version table"))?;
    let found: Option<i32> = tx
        .query_one("SELECT max(version) FROM livescore_schema_version", &[])
        .await
        .map_err(fail("read the schema version"))?
        .get(0);
    let found = found.unwrap_or(0);
    if found < 0 || found as usize > MIGRATIONS.len() {
        return Err(PgError::SchemaTooNew {
            target: target.to_owned(),
            found,
            known: MIGRATIONS.len(),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = (i + 1) as i32;
        tx.batch_execute(sql)
            .await
            .map_err(fail("apply a schema migration"))?;
        tx.execute(
            "INSERT INTO livescore_schema_version (version) VALUES ($1)",
            &[&version],
        )
        .await
        .map_err(fail("record the schema version"))?;
        tracing::info!(version, "PostgreSQL schema migrated");
    }
    tx.commit().await.map_err(fail("commit the migration"))?;
    Ok(MIGRATIONS.len())
}
