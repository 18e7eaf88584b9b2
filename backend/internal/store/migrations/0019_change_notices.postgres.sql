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

CREATE TRIGGER performs_added AFTER INSERT ON performs
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION chorus_members_changed();
CREATE TRIGGER performs_removed AFTER DELETE ON performs
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION chorus_members_changed();

CREATE TRIGGER point_totals_added AFTER INSERT ON point_totals
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION chorus_members_changed();
CREATE TRIGGER point_totals_updated AFTER UPDATE ON point_totals
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION chorus_members_changed();
CREATE TRIGGER point_totals_removed AFTER DELETE ON point_totals
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION chorus_members_changed();

CREATE TRIGGER tiktok_stagings_added AFTER INSERT ON tiktok_stagings
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION chorus_members_changed();
CREATE TRIGGER tiktok_stagings_updated AFTER UPDATE ON tiktok_stagings
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION chorus_members_changed();
CREATE TRIGGER tiktok_stagings_removed AFTER DELETE ON tiktok_stagings
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION chorus_members_changed();

CREATE TRIGGER programs_content_changed AFTER UPDATE OF content_version ON programs
    FOR EACH ROW EXECUTE FUNCTION chorus_content_changed();
