#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    byod_fuzz::read(data, "f.csv");
    byod_fuzz::read(data, "f.tsv");
});
