-- Arrays as Trino has them: array_sort puts NULLs last, sequence counts down
SELECT array_sort(ARRAY[3, NULL, 1, 2]) AS sorted, sequence(5, 1) AS down, sequence(DATE '2024-03-01', DATE '2024-02-28') AS days_back, slice(ARRAY['a', 'b', 'c', 'd'], 2, 2) AS middle
-- duckdb:
-- SELECT list_sort([3, NULL, 1, 2], 'ASC', 'NULLS LAST'), [5, 4, 3, 2, 1], [DATE '2024-03-01', DATE '2024-02-29', DATE '2024-02-28'], ['b', 'c']
