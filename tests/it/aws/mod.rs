//! The AWS source against a real HTTP emulator (moto, started once per test binary) and, for
//! what moto cannot do (paging, live statistics, throttling, failures), the real SDK clients
//! with `aws-smithy-mocks`.

mod athena_moto;
mod cli_moto;
mod compact_moto;
mod compare_moto;
mod doctor_moto;
mod estimate_moto;
mod glue_moto;
mod keep_moto;
mod local_moto;
mod mocks;
mod moto;
mod parameters_mock;
mod serve_moto;
mod unload_moto;
