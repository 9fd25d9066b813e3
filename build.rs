//! Compresses the frontend and the served documents once, at build time: every file under
//! `frontend/` gets a `.gz` and a `.br` beside it in `$OUT_DIR/frontend-compressed/`, which
//! `src/http/assets.rs` embeds, and so does `docs/openapi.json` in `$OUT_DIR/docs-compressed/`
//! (`src/http/openapi.rs`); clients that accept them get those bytes, so no page or document is
//! compressed again per request.

use std::io::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let source = Path::new("frontend");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("frontend-compressed");
    // A file removed from frontend/ must not live on in the binary.
    if out.exists() {
        std::fs::remove_dir_all(&out).expect("clear the old compressed frontend");
    }
    println!("cargo:rerun-if-changed=frontend");
    compress_dir(source, source, &out);

    // The documents the binary serves (only the OpenAPI one so far).
    let docs = out.with_file_name("docs-compressed");
    std::fs::create_dir_all(&docs).expect("create the output directory");
    let document = "docs/openapi.json";
    println!("cargo:rerun-if-changed={document}");
    let data = std::fs::read(document).unwrap_or_else(|e| panic!("reading {document}: {e}"));
    let target = docs.join("openapi.json");
    write(&target, "gz", &gzip(&data));
    write(&target, "br", &brotli(&data));
}

fn compress_dir(root: &Path, dir: &Path, out: &Path) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        // Cargo watches each directory for files added or removed, and each file for changes.
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            compress_dir(root, &path, out);
            continue;
        }
        let data =
            std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let relative = path.strip_prefix(root).expect("under frontend/");
        let target = out.join(relative);
        std::fs::create_dir_all(target.parent().expect("a file has a parent"))
            .expect("create the output directory");
        write(&target, "gz", &gzip(&data));
        write(&target, "br", &brotli(&data));
    }
}

fn write(target: &Path, extension: &str, data: &[u8]) {
    let mut name = target.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    std::fs::write(&name, data).unwrap_or_else(|e| panic!("writing {name:?}: {e}"));
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).expect("gzip into memory");
    encoder.finish().expect("gzip into memory")
}

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).expect("brotli into memory");
    out
}
