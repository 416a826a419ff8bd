#![no_main]
libfuzzer_sys::fuzz_target!(
    init: byod_fuzz::let_the_readers_contain_their_crates_panics(),
    |data: &[u8]| {
        byod_fuzz::read(data, "f.xls");
    }
);
