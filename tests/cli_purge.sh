#!/usr/bin/env bash
# `stagematch purge` on the demo database: a dry run lists, per school year and track, what
# would go and changes nothing; the purge erases the personal data of a request whose school
# year ended longer ago than the retention period (and nothing of this year's), audited; a
# second run finds nothing more; --as-of judges as on another day (ahead of time only as a dry
# run); the retention comes from --retention-years or the serve configuration file, and a wrong
# value is refused.
set -euo pipefail
bin=$1
cd "$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
file="$work/demo.db"
db="sqlite:$file"
"$bin" demo --db "$db" >/dev/null

# One demo student belongs to a school year long over.
id=$(sqlite3 "$file" "SELECT min(id) FROM requests")
track=$(sqlite3 "$file" "SELECT track FROM requests WHERE id = $id")
number=$(sqlite3 "$file" "SELECT json_extract(fields_json, '$.national_number') FROM requests WHERE id = $id")
sqlite3 "$file" "UPDATE requests SET year = '2019-2020', fields_json = json_set(fields_json, '\$.periods',
  json('[{\"start\": \"2020-02-03\", \"end\": \"2020-03-13\"}]')) WHERE id = $id"
[[ ${#number} == 11 ]] || { echo "demo request $id has no national number"; exit 1; }
dump() { sqlite3 "$file" .dump; }

before=$(dump)
dry=$("$bin" purge --dry-run --db "$db")
grep -q "^proefdraaien: er wordt niets gewist" <<<"$dry" || { echo "dry run: $dry"; exit 1; }
grep -q "^bewaartermijn: 2 jaar" <<<"$dry" || { echo "dry run: $dry"; exit 1; }
grep -q "^schooljaar 2019-2020, traject $track: 1 aanvraag zou gewist worden" <<<"$dry" \
  || { echo "dry run: $dry"; exit 1; }
grep -q "velden: voornaam en familienaam, rijksregisternummer" <<<"$dry" || { echo "dry: $dry"; exit 1; }
[[ $(grep -c "^schooljaar" <<<"$dry") == 1 ]] || { echo "only 2019-2020 is over: $dry"; exit 1; }
[[ "$(dump)" == "$before" ]] || { echo "the dry run changed the database"; exit 1; }

# --as-of: the purge as it would run on that day. The request's retention ends on 01/09/2022.
early=$("$bin" purge --dry-run --db "$db" --as-of 2022-08-31)
grep -q "^geen aanvragen met persoonsgegevens" <<<"$early" || { echo "as of 31/08/2022: $early"; exit 1; }
late=$("$bin" purge --dry-run --db "$db" --as-of 2022-09-02)
grep -q "^schooljaar 2019-2020, traject $track: 1 aanvraag zou gewist worden" <<<"$late" \
  || { echo "as of 02/09/2022: $late"; exit 1; }
grep -q "^beoordeeld zoals op 02/09/2022 00:00" <<<"$late" || { echo "as of which day: $late"; exit 1; }
none=$("$bin" purge --db "$db" --as-of 2022-08-31T23:00:00+02:00)
grep -q "^geen aanvragen met persoonsgegevens" <<<"$none" || { echo "purge as of 2022: $none"; exit 1; }
[[ "$(dump)" == "$before" ]] || { echo "a purge as of 2022 erased what was kept until then"; exit 1; }
future=$("$bin" purge --dry-run --db "$db" --as-of 2099-01-01)
(( $(grep -c "^schooljaar" <<<"$future") > 1 )) || { echo "as of 2099 every year is over: $future"; exit 1; }
if "$bin" purge --db "$db" --as-of 2099-01-01 2>"$work/err"; then
  echo "a purge ahead of time was accepted"; exit 1
fi
grep -q "gegevens worden nooit vooraf gewist" "$work/err" || { cat "$work/err"; exit 1; }
if "$bin" purge --dry-run --db "$db" --as-of 31/08/2022 2>"$work/err"; then
  echo "--as-of 31/08/2022 was accepted"; exit 1
fi
grep -q "verwacht een datum als 2027-09-01" "$work/err" || { cat "$work/err"; exit 1; }
[[ "$(dump)" == "$before" ]] || { echo "a refused or dry purge changed the database"; exit 1; }

run=$("$bin" purge --db "$db")
grep -q "^schooljaar 2019-2020, traject $track: 1 aanvraag gewist" <<<"$run" || { echo "purge: $run"; exit 1; }
grep -q "^samen 1 aanvraag gewist" <<<"$run" || { echo "purge: $run"; exit 1; }
if dump | grep -q "$number"; then echo "the national number is still stored"; exit 1; fi
[[ $(sqlite3 "$file" "SELECT count(*) FROM audit_log WHERE action = 'privacy.purge' AND object_id = $id AND actor = 'admin-cli'") == 1 ]] \
  || { echo "the erasure is not audited"; exit 1; }
[[ $(sqlite3 "$file" "SELECT count(*) FROM requests WHERE erased_at IS NULL AND json_extract(fields_json, '$.national_number') IS NOT NULL") -gt 40 ]] \
  || { echo "this year's students lost their data"; exit 1; }

after=$(dump)
again=$("$bin" purge --db "$db")
grep -q "^geen aanvragen met persoonsgegevens" <<<"$again" || { echo "second run: $again"; exit 1; }
[[ "$(dump)" == "$after" ]] || { echo "the second run changed the database"; exit 1; }

printf 'retention-years = 9\n' >"$work/stagematch.conf"
configured=$("$bin" purge --dry-run --db "$db" --config "$work/stagematch.conf")
grep -q "^bewaartermijn: 9 jaar" <<<"$configured" || { echo "config: $configured"; exit 1; }
if "$bin" purge --dry-run --db "$db" --retention-years 0 2>"$work/err"; then
  echo "--retention-years 0 was accepted"; exit 1
fi
grep -q "verwacht een aantal jaren van 1 tot 50" "$work/err" || { cat "$work/err"; exit 1; }
echo "ok"
