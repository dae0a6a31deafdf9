-- The SQL peer of `outcomes assess` in bench/compare.sh: the first and the latest value of
-- every person's every assessment item, as of a day, in one query over the store itself
-- (the schema of lib/store_sqlite_schema.cpp: entries hold integer ids of people, frameworks
-- and terms, and days since 1970-01-01; kind 3 is an assessment). Superseded entries are
-- left out, as assess leaves them out. It is the least any whole-store assessment costs:
-- no occasions, totals, bands or reliable change, and a tie on a day takes any of its values.
--
--   sqlite3 -csv STORE ".parameter set :as_of DAY" ".read bench/assess_first_latest.sql"
--
-- MIN() and MAX() each over a GROUP BY, with SQLite's rule that the other (bare) columns of
-- such a query come from the row holding the minimum or maximum; the window-function
-- version of the same figures is several times slower.
WITH current AS (
  SELECT person, framework, measure, day, value FROM entries
  WHERE kind = 3 AND day <= :as_of AND value IS NOT NULL
    AND id NOT IN (SELECT supersedes FROM entries WHERE supersedes IS NOT NULL)
),
first AS (
  SELECT person, framework, measure, MIN(day) AS day, value FROM current
  GROUP BY person, framework, measure
),
latest AS (
  SELECT person, framework, measure, MAX(day) AS day, value FROM current
  GROUP BY person, framework, measure
)
SELECT p.ref, f.framework, t.text, first.day, first.value, latest.day, latest.value,
       latest.value - first.value
FROM first
JOIN latest USING (person, framework, measure)
JOIN people AS p ON p.id = first.person
JOIN frameworks_seen AS f ON f.id = first.framework
JOIN terms AS t ON t.id = first.measure;
