//! The batched loader: multi-row inserts sized to the bound-parameter limit, spread over
//! one or more writer connections and committed every so many rows.

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    EntityTrait, Iterable,
};

use crate::error::AppResult;

/// Bound parameters per statement: below SQLite's 32766 and PostgreSQL's 65535.
const PARAMS_PER_STATEMENT: usize = 30_000;
/// A transaction is committed after about this many rows, so that neither database holds
/// an unbounded amount of uncommitted work.
const ROWS_PER_TRANSACTION: u64 = 50_000;
/// SQLite page cache while loading (negative: KiB).
const SQLITE_CACHE: &str = "PRAGMA cache_size = -262144";
/// At most this many connections load a PostgreSQL table at once.
const POSTGRES_WRITERS: u32 = 4;

pub(super) struct Loader<'a> {
    db: &'a DatabaseConnection,
    /// Transactions written to at once, each on its own connection.
    writers: usize,
    pub(super) tables: Vec<(&'static str, u64)>,
}

impl<'a> Loader<'a> {
    /// PostgreSQL spends most of a load checking foreign keys and updating indexes, work
    /// that several connections share out over the server's cores. SQLite has one writer.
    pub(super) fn new(db: &'a DatabaseConnection) -> Self {
        let writers = match db.get_database_backend() {
            DbBackend::Postgres => {
                let pool = db
                    .get_postgres_connection_pool()
                    .options()
                    .get_max_connections();
                pool.clamp(1, POSTGRES_WRITERS) as usize
            }
            _ => 1,
        };
        Self {
            db,
            writers,
            tables: Vec::new(),
        }
    }

    async fn begin(&self) -> AppResult<Vec<DatabaseTransaction>> {
        let mut txns = Vec::with_capacity(self.writers);
        for _ in 0..self.writers {
            let txn = crate::db::begin_write(self.db).await?;
            if txn.get_database_backend() == DbBackend::Sqlite {
                // With SQLite's default 2 MiB page cache, index pages hit by random UUIDs are
                // written out and read back again and again (1.3 M writes and 1.5 M reads for
                // 100k opportunities). The setting stays with the pool's connections.
                txn.execute_unprepared(SQLITE_CACHE).await?;
            }
            txns.push(txn);
        }
        Ok(txns)
    }

    /// Inserts `rows` in multi-row statements of as many rows as the parameter bound allows,
    /// one statement per writer at a time, committing every `ROWS_PER_TRANSACTION` rows.
    pub(super) async fn rows<A>(
        &mut self,
        table: &'static str,
        rows: impl IntoIterator<Item = A>,
    ) -> AppResult<()>
    where
        A: ActiveModelTrait + Send,
    {
        let mut rows = rows.into_iter();
        let per_statement =
            PARAMS_PER_STATEMENT / <A::Entity as EntityTrait>::Column::iter().count();
        let (mut done, mut in_transaction) = (0u64, 0u64);
        let mut txns = self.begin().await?;
        loop {
            if in_transaction >= ROWS_PER_TRANSACTION {
                for txn in txns {
                    txn.commit().await?;
                }
                tracing::info!(table, rows = done, "scale seed progress");
                txns = self.begin().await?;
                in_transaction = 0;
            }
            let batches: Vec<Vec<A>> = (0..self.writers)
                .map(|_| rows.by_ref().take(per_statement).collect::<Vec<A>>())
                .filter(|batch| !batch.is_empty())
                .collect();
            if batches.is_empty() {
                break;
            }
            let count: u64 = batches.iter().map(|b| b.len() as u64).sum();
            let inserts = batches
                .into_iter()
                .zip(&txns)
                .map(|(batch, txn)| A::Entity::insert_many(batch).exec_without_returning(txn));
            futures_util::future::try_join_all(inserts).await?;
            done += count;
            in_transaction += count;
        }
        for txn in txns {
            txn.commit().await?;
        }
        tracing::info!(table, rows = done, "scale seed: table loaded");
        self.tables.push((table, done));
        Ok(())
    }
}
