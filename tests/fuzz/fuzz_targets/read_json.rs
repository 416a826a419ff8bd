#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    byod_fuzz::read(data, "f.json");
    byod_fuzz::read(data, "f.ndjson");
});
