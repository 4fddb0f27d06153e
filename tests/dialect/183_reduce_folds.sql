-- reduce(): Trino's documented sums and the average through a ROW state
SELECT reduce(ARRAY[5, 20, 50], 0, (s, x) -> s + x, s -> s) AS total, reduce(ARRAY[5, 20, 50], 0, (s, x) -> s + x, s -> s * 10) AS scaled, reduce(ARRAY[1, 2, 3], CAST(ROW(0, 0) AS ROW(sum BIGINT, count BIGINT)), (s, x) -> CAST(ROW(x + s.sum, s.count + 1) AS ROW(sum BIGINT, count BIGINT)), s -> IF(s.count = 0, NULL, s.sum / s.count)) AS average
-- duckdb:
-- SELECT 75, 750, 2
