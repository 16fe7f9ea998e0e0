"""Checks an xxgk dataset against the ground truth of the synthetic corpus it
was ingested from: every cell, with DuckDB (pip install -r
tests/clients/requirements.txt). Prints the counts; exits 1 on any mismatch.

Usage: python3 benches/ground_truth.py GROUND_TRUTH_CSV DATASET_DIR
"""

import sys

import duckdb

QUERY = """
with cells as (
    select regexp_extract(r.source_path, '[^/]+$') as file,
           c."table", c."row", c.col, c.value, c.status, c.raw, c.source_line
    from read_parquet($data || '/cells/*/*.parquet', hive_partitioning = true) c
    join read_parquet($data || '/reports/*/*.parquet', hive_partitioning = true) r using (report_id)
),
truth as (select * from read_csv($truth, all_varchar = true))
select count(*) as checked,
       count(*) filter (where not coalesce(case t.value
           when 'BLANK' then c.status = 'blank' and c.value is null
           when 'DASH' then c.status = 'dash' and c.value is null
           when 'MISSING' then c.status = 'missing' and c.value is null and c.raw is null
           else c.status = 'ok' and c.value = try_cast(t.value as double) and c.source_line is not null
       end, false)) as wrong
from truth t
left join cells c on c.file = t.file and c."table" = t."table" and c."row" = t."row" and c.col = t.col
"""


def main() -> int:
    truth, data = sys.argv[1], sys.argv[2]
    checked, wrong = duckdb.execute(QUERY, {"truth": truth, "data": data}).fetchone()
    print(f"ground truth: {checked - wrong} of {checked} cells match")
    return 1 if wrong or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
