"""The SQL function of core.segments_sql, installed by migration messaging/0009."""

# Fills parts like core.segments._pack: a character costs 2 when it is one of
# `escapes` (GSM-7) or outside the BMP (UCS-2), else 1; a part never splits one.
CREATE = r"""
CREATE OR REPLACE FUNCTION sc_sms_segments(body text, escapes text, per_part integer, gsm boolean)
RETURNS integer AS $$
DECLARE
    parts integer := 1;
    used integer := 0;
    cost integer;
    ch text;
BEGIN
    FOREACH ch IN ARRAY regexp_split_to_array(body, '') LOOP
        IF gsm THEN
            cost := CASE WHEN strpos(escapes, ch) > 0 THEN 2 ELSE 1 END;
        ELSE
            cost := CASE WHEN ascii(ch) > 65535 THEN 2 ELSE 1 END;
        END IF;
        IF used + cost > per_part THEN
            parts := parts + 1;
            used := 0;
        END IF;
        used := used + cost;
    END LOOP;
    RETURN parts;
END
$$ LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE;
"""
DROP = "DROP FUNCTION IF EXISTS sc_sms_segments(text, text, integer, boolean);"
