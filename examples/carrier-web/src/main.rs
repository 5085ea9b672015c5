//! `carrier-web`: the example carrier app. Configuration from the environment (defaults fit
//! `idp serve --demo` on the same machine):
//! `NX_ISSUER` (http://127.0.0.1:8080), `NX_CLIENT_ID` (cl_carrier_web_demo),
//! `NX_CLIENT_SECRET` (the demo secret), `CARRIER_WEB_LISTEN` (127.0.0.1:3000),
//! `CARRIER_WEB_URL` (http://127.0.0.1:3000).

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = carrier_web::Config::from_env();
    let listener = match tokio::net::TcpListener::bind(&config.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("carrier-web: cannot listen on {}: {e}", config.listen);
            std::process::exit(1);
        }
    };
    println!(
        "carrier-web: http://{} (identity provider {})",
        config.listen, config.issuer
    );
    if let Err(e) = carrier_web::serve(listener, config).await {
        eprintln!("carrier-web: {e}");
        std::process::exit(1);
    }
}
