-- The floor for `user:delete-activities :nick`: one transaction (psql --single-transaction).
\ir common.sql
SELECT ap_id AS actor FROM users WHERE nickname = :'nick' AND local \gset
\ir delete-posts.sql
