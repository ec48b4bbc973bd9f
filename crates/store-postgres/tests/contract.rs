//! The store contract on PostgreSQL: each case gets a new database in the test cluster.

use haven_store_postgres::PostgresStore;
use haven_store_postgres::testing::TestCluster;
use store::prelude::*;

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

/// Row-level security hides one practice's clients from a transaction of another practice,
/// and from one that declared no practice, even if a query forgets its `practice_id` condition.
#[tokio::test]
async fn row_level_security_isolates_client_rows() {
    use domain::{ClientId, PracticeId};

    let url = TestCluster::shared().fresh_database().await;
    let store = haven_store_postgres::connect(&url).await.unwrap_or_else(|e| panic!("{e}"));
    store.migrate().await.unwrap_or_else(|e| panic!("{e}"));
    let (a, b) = (PracticeId::random(), PracticeId::random());
    let (client, connection) =
        tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(connection);
    for p in [a, b] {
        let insert = "INSERT INTO practices VALUES ($1, 'P', 'l1', NULL, 'c', 'OR', '97201', '1234567893', '12-3456789', 'UTC', 0)";
        client.execute(insert, &[&p.to_string()]).await.unwrap_or_else(|e| panic!("{e}"));
    }
    let new = store::SealedClient {
        id: ClientId::random(),
        given_name: vec![1],
        family_name: vec![2],
        date_of_birth: vec![3],
        given_name_index: "g".into(),
        family_name_index: "f".into(),
        family_prefix_index: "f".into(),
        date_of_birth_index: "d".into(),
        phone: Some(vec![4]),
        email: None,
        phone_index: Some("p".into()),
        email_index: None,
        created_at: jiff::Timestamp::UNIX_EPOCH,
        profile: None,
        status: domain::client::ClientStatus::Active,
        version: 1,
        updated_at: None,
    };
    store.insert_clients(a, &[new]).await.unwrap_or_else(|e| panic!("{e}"));

    let visible = |practice: Option<PracticeId>| {
        let client = &client;
        async move {
            let scope = practice.map(|p| p.to_string()).unwrap_or_default();
            let sql = format!(
                "BEGIN; SELECT set_config('haven.practice_id', '{scope}', true); \
                 SELECT count(*)::text FROM clients; COMMIT;"
            );
            let messages = client.simple_query(&sql).await.unwrap_or_else(|e| panic!("{e}"));
            messages
                .iter()
                .filter_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
                    _ => None,
                })
                .last()
                .unwrap_or_default()
        }
    };
    assert_eq!(visible(Some(a)).await, "1");
    assert_eq!(visible(Some(b)).await, "0");
    assert_eq!(visible(None).await, "0");

    // Writing a row of practice A while declared as practice B is refused.
    let forged = format!(
        "BEGIN; SELECT set_config('haven.practice_id', '{b}', true); \
         INSERT INTO clients VALUES ('{a}', 'x', '\\x01', '\\x02', '\\x03', 'g', 'f', 'f', 'd', 0); COMMIT;"
    );
    let refused = client.simple_query(&forged).await.err().map(|e| e.as_db_error().map(|d| d.message().to_owned()));
    let message = refused.flatten().unwrap_or_else(|| panic!("row-level security let a foreign row in"));
    assert!(message.contains("row-level security"), "refused for another reason: {message}");
}
