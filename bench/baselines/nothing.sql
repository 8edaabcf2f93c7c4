-- A baseline that changes nothing (bench/run.js --break): the end states must then differ.
SELECT 1;
