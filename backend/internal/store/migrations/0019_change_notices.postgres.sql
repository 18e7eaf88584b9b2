-- Every instance's caches (a member's kept feed view, their points on the
-- leaderboard, their audience for performs) hear of a change made on any
-- instance through NOTIFY, at the change's commit (store/changes.go), instead
-- of asking the database on every request. The triggers cover every write
-- path, present and future. Payloads: 'm' and the changed members' ids,
-- comma-separated; '*' for everything (a program's content version moved, or
-- one statement changed too many members to name).

CREATE FUNCTION chorus_members_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids text;
BEGIN
    SELECT string_agg(DISTINCT user_id, ',') INTO ids FROM changed;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    IF length(ids) > 7000 THEN -- NOTIFY payloads stop at 8,000 bytes
        ids := '*';
    ELSE
        ids := 'm' || ids;
    END IF;
    PERFORM pg_notify(left('chorus_changes_' || current_schema(), 63), ids);
    RETURN NULL;
END
$$;

CREATE FUNCTION chorus_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(left('chorus_changes_' || current_schema(), 63), '*');
    RETURN NULL;
END
$$;

-- The tables members' caches read, each with a trigger per kind of change.
DO $$
DECLARE
    t text;
    ev text[];
BEGIN
    FOREACH t IN ARRAY ARRAY['performs', 'point_totals', 'tiktok_stagings'] LOOP
        FOREACH ev SLICE 1 IN ARRAY ARRAY[['added', 'INSERT', 'NEW'], ['updated', 'UPDATE', 'NEW'], ['removed', 'DELETE', 'OLD']] LOOP
            EXECUTE format('CREATE TRIGGER %I AFTER %s ON %I REFERENCING %s TABLE AS changed '
                'FOR EACH STATEMENT EXECUTE FUNCTION chorus_members_changed()', t || '_' || ev[1], ev[2], t, ev[3]);
        END LOOP;
    END LOOP;
END
$$;

CREATE TRIGGER programs_content_changed AFTER UPDATE OF content_version ON programs
    FOR EACH ROW EXECUTE FUNCTION chorus_content_changed();
