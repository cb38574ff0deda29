//! `custodian`: the information governance and security system of a group of GP practices.
//! One binary: the command line (`custodian_cli`) with the web server (`custodian_web`)
//! plugged in for `serve` and `demo`. The two are peers over the application layer; this is
//! the only place that knows both.

use std::process::ExitCode;

use custodian_cli::{BoxFuture, ServeRequest, Server};

struct Web;

impl Server for Web {
    fn serve(&self, r: ServeRequest) -> BoxFuture<std::io::Result<()>> {
        let config = custodian_web::WebConfig {
            public_url: r.settings.public_url,
            session_idle_seconds: r.settings.session_idle_seconds,
            session_lifetime_seconds: r.settings.session_lifetime_seconds,
            max_body_bytes: r.settings.max_body_bytes,
        };
        let state = custodian_web::AppState::with_app(r.app, config);
        Box::pin(custodian_web::serve_all(
            r.listener,
            r.metrics_listener,
            state,
            r.shutdown,
        ))
    }
}

fn main() -> ExitCode {
    custodian_cli::main(&Web)
}
