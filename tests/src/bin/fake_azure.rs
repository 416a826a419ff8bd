//! The fake Azure OpenAI as a process, for tests outside Rust (the browser tests): prints
//! the relay's environment for it, one `NAME=value` per line, then `READY`, and serves
//! until killed. Steer it with `POST /_fake/replies`; read it with `GET /_fake/received`.

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let fake = e2e::fake_azure::FakeAzure::start().await;
    for (name, value) in fake.vars() {
        println!("{name}={value}");
    }
    println!("READY");
    std::future::pending::<()>().await;
}
