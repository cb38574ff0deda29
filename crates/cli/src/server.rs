//! Serving: `serve`, `demo` and `healthcheck`, and what they share: the listeners, the
//! scheduler, handing the application to the web server, graceful shutdown.

use custodian_store::SharedStore;

use crate::config::Config;
use crate::{Failure, app_for, open_store};
use crate::{ServeRequest, Server, demo};

/// `custodian serve`.
pub(crate) async fn serve_command(config: &Config, server: &dyn Server) -> Result<(), Failure> {
    let store = open_store(config).await?;
    serve(store, config, None, server).await
}

/// `custodian demo`: the demo data (created once), then the server.
pub(crate) async fn demo_command(
    config: &Config,
    no_serve: bool,
    server: &dyn Server,
) -> Result<(), Failure> {
    let store = open_store(config).await?;
    let accounts = demo::seed(&store)
        .await
        .map_err(|e| Failure::Failed(format!("cannot create the demo data: {e}")))?;
    if no_serve {
        println!("demo data ready in {}", demo::where_it_lives(config));
        return Ok(());
    }
    serve(store, config, Some(accounts), server).await
}

/// `custodian healthcheck`.
pub(crate) async fn healthcheck_command(
    config: &Config,
    url: Option<String>,
) -> Result<(), Failure> {
    let url = url.unwrap_or_else(|| format!("http://{}", config.server.bind));
    match healthcheck(&url).await {
        Ok(()) => {
            println!("healthy: {url}");
            Ok(())
        }
        Err(e) => Err(Failure::Failed(format!("unhealthy: {url}: {e}"))),
    }
}

async fn bind(what: &str, addr: &str) -> Result<tokio::net::TcpListener, Failure> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Usage(format!("{what}: cannot listen on {addr}: {e}")))
}

async fn serve(
    store: SharedStore,
    config: &Config,
    demo: Option<Vec<demo::DemoAccount>>,
    server: &dyn Server,
) -> Result<(), Failure> {
    let listener = bind("server.bind", &config.server.bind).await?;
    let metrics_listener = match config.server.metrics_bind.as_str() {
        "" => None,
        addr => Some(bind("server.metrics_bind", addr).await?),
    };
    let app = app_for(store, config)?;
    // The scheduler: every capability's time-driven work (leavers' exit dates, quarterly
    // reports, notifications, audit checkpoints, retention and the daily verification).
    tokio::spawn(custodian_app::scheduler::run(
        app.clone(),
        custodian_app::jobs(),
        std::time::Duration::from_secs(config.server.scheduler_tick_seconds),
        std::time::Duration::from_secs(config.audit.verify_every_hours * 3600),
    ));
    let settings = config.server_settings();
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| config.server.bind.clone());
    let url = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    tracing::info!(%url, database = %custodian_store::redact_url(&config.database()), "custodian is serving");
    if let Some(accounts) = demo {
        demo::print_welcome(&url, &demo::where_it_lives(config), &accounts);
    }
    server
        .serve(ServeRequest {
            app,
            settings,
            listener,
            metrics_listener,
            shutdown: Box::pin(async {
                shutdown_signal().await;
                tracing::info!("shutting down: finishing requests in flight");
            }),
        })
        .await
        .map_err(|e| Failure::Failed(format!("server stopped: {e}")))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// GET /healthz over a plain TCP connection (no HTTP client needed for one request).
async fn healthcheck(url: &str) -> Result<(), String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs can be checked (check the TLS terminator separately)")?;
    let host = rest.split('/').next().unwrap_or(rest);
    let connect = tokio::net::TcpStream::connect(host);
    let mut stream = tokio::time::timeout(std::time::Duration::from_secs(5), connect)
        .await
        .map_err(|_| "timed out connecting".to_string())?
        .map_err(|e| e.to_string())?;
    let req = format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(req.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut buf),
    )
    .await
    .map_err(|_| "timed out waiting for an answer".to_string())?
    .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&buf);
    let status = text.lines().next().unwrap_or("");
    if status.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        Err(format!("answered '{status}'"))
    }
}
