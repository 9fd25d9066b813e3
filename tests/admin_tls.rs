//! `livescore admin --url wss://…`: the admin CLI (the real binary) speaks TLS to a server behind
//! a TLS-terminating proxy, trusts a self-signed certificate given with `--ca-file`, and without
//! it refuses the certificate with a clear error.

mod common;

use std::net::SocketAddr;
use std::process::{Command, Output};
use std::sync::Arc;

use common::process::BIN;
use common::{ALICE, TestServer, with_admins};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// A self-signed certificate for 127.0.0.1, as PEM, with the server config that presents it.
fn self_signed() -> (String, Arc<rustls::ServerConfig>) {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let chain: Vec<CertificateDer<'static>> = vec![certified.cert.der().clone()];
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    (certified.cert.pem(), Arc::new(config))
}

/// A TLS-terminating proxy on 127.0.0.1 (as nginx would be): each connection's TLS is ended here
/// and its bytes are forwarded to `backend`. Runs on a thread of its own until the test ends.
fn tls_proxy(backend: SocketAddr, config: Arc<rustls::ServerConfig>) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let acceptor = TlsAcceptor::from(config);
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A client that rejects the certificate ends its handshake here.
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(mut upstream) = tokio::net::TcpStream::connect(backend).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
                });
            }
        });
    });
    addr
}

fn admin(url: &str, extra: &[&str], command: &str) -> Output {
    Command::new(BIN)
        .args(["admin", "--url", url, "--token", ALICE])
        .args(extra)
        .arg(command)
        .env("LIVESCORE_LOG", "warn")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_admin_cli_sends_commands_over_wss_trusting_a_self_signed_certificate() {
    let server = TestServer::start(with_admins);
    let (pem, config) = self_signed();
    let proxy = tls_proxy(server.addr, config);
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("cert.pem");
    std::fs::write(&ca, &pem).unwrap();
    let url = format!("wss://{proxy}/ws/admin");

    let out = admin(
        &url,
        &["--ca-file", ca.to_str().unwrap()],
        r#"{"type":"news.publish","headline":"Over TLS"}"#,
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    let reply: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON reply");
    assert_eq!(reply["type"], "ack", "{reply}");
    assert!(stderr.contains("authenticated as alice"), "{stderr}");
}

#[test]
fn the_admin_cli_refuses_an_untrusted_certificate_and_bad_ca_files_clearly() {
    let server = TestServer::start(with_admins);
    let (_, config) = self_signed();
    let proxy = tls_proxy(server.addr, config);
    let url = format!("wss://{proxy}/ws/admin");
    let command = r#"{"type":"news.publish","headline":"Never sent"}"#;

    // Not signed by any public root: refused, with the reason and the way out.
    let out = admin(&url, &[], command);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("certificate"), "{stderr}");
    assert!(stderr.contains("--ca-file"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    // Another self-signed certificate is not this one.
    let (other, _) = self_signed();
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("other.pem");
    std::fs::write(&wrong, other).unwrap();
    let out = admin(&url, &["--ca-file", wrong.to_str().unwrap()], command);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("certificate"),
        "{}",
        text(&out.stderr)
    );

    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    let missing = dir.path().join("missing.pem");
    for (file, expected) in [
        (&garbage, "no certificate in it"),
        (&missing, "cannot read it"),
    ] {
        let out = admin(&url, &["--ca-file", file.to_str().unwrap()], command);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(stderr.contains(file.to_str().unwrap()), "{stderr}");
    }

    // --ca-file on a plain ws:// URL is a mistake worth saying.
    let plain = server.url("/ws/admin").replace("http://", "ws://");
    let out = admin(&plain, &["--ca-file", garbage.to_str().unwrap()], command);
    assert!(text(&out.stderr).contains("--ca-file is for wss:// URLs"));
}
