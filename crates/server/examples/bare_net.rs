//! The network layer alone: eventmock's `serve` with a handler answering a fixed body.
//! Usage: `bare_net <port> <body-bytes>`. For measuring the net layer against `bare`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use eventmock_server::response::{Reply, reply};
use eventmock_server::{Handler, ServerConfig, bind, serve};
use hyper::{Request, StatusCode};

struct Fixed(Bytes);

impl Handler for Fixed {
    async fn handle(&self, _req: Request<Bytes>, _peer: SocketAddr) -> Reply {
        reply(StatusCode::OK, "application/json", self.0.clone())
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let size: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(600);
    let listener = bind(SocketAddr::from(([127, 0, 0, 1], port))).unwrap();
    println!("listening on {}", listener.local_addr().unwrap());
    let body = Bytes::from(vec![b' '; size]);
    serve(
        listener,
        Arc::new(Fixed(body)),
        ServerConfig::default(),
        std::future::pending(),
    )
    .await
    .unwrap();
}
