//! The store contract on PostgreSQL: each case gets a new database in the test cluster.

use haven_store_postgres::PostgresStore;
use haven_store_postgres::testing::TestCluster;
use store::Store;

async fn fresh() -> Box<PostgresStore> {
    let url = TestCluster::shared().fresh_database().await;
    let store = haven_store_postgres::connect(&url).await.unwrap_or_else(|e| panic!("{e}"));
    store.migrate().await.unwrap_or_else(|e| panic!("{e}"));
    Box::new(store)
}

store::store_contract_suite!(fresh);

#[tokio::test]
async fn unreachable_server_is_a_clear_error() {
    let err = haven_store_postgres::connect("postgres://haven:pw@127.0.0.1:1/haven")
        .await
        .err()
        .unwrap_or_else(|| panic!("connected to port 1"));
    let message = err.to_string();
    assert!(message.contains("cannot connect to PostgreSQL at postgres://haven:***@127.0.0.1:1/haven"), "{message}");
    assert!(!message.contains("pw@"), "{message}");
}
