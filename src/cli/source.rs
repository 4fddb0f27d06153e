//! Opening the source the flags and config choose: the local lake, or the AWS source (Glue
//! with Athena, or with the local engine over S3) with its other engine ready beside it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[cfg(feature = "aws")]
use crate::backend::aws::{AthenaEngine, AwsClients, GlueCatalog, Workspace};
use crate::backend::aws::{AwsOptions, UnloadPolicy};
use crate::backend::local::{EngineOptions, LocalCatalog, LocalEngine, discovery};
use crate::backend::{Catalog, QueryEngine, TableName};
use crate::cache::{CacheLake, CachedSource};
use crate::config::{Config, EngineChoice};
use crate::cost::Pricing;

use super::args::Cli;
use super::exit::{EXIT_QUERY_ERROR, EXIT_USAGE, fail};

/// What a build without the `aws` feature says when asked for the AWS source.
#[cfg(not(feature = "aws"))]
pub const BUILT_WITHOUT_AWS: &str = "this quarry was built without the AWS source (cargo \
     feature `aws`): build it with the default features to use Glue, Athena and S3";

/// Why the local source has nothing to compare with or switch to.
pub const ONE_ENGINE_LOCALLY: &str = "the local lake has one engine; Athena and the local engine over \
     the same Glue tables need the AWS source (--aws)";

/// Which source to open, from flags and config.
pub(super) struct SourceChoice {
    /// Set for the AWS source.
    pub(super) aws: Option<(AwsOptions, EngineChoice)>,
    pub(super) lake: PathBuf,
    pub(super) is_default_lake: bool,
    /// `--database`.
    pub(super) database: Option<String>,
}

/// A source opened: its catalog, its engine, and what to call it.
pub(super) struct Opened {
    pub(super) catalog: Arc<dyn Catalog>,
    pub(super) engine: Arc<dyn QueryEngine>,
    pub(super) title: String,
    pub(super) database: Option<String>,
    /// Athena's named queries and recent executions, on the AWS source.
    pub(super) workspace: Option<Arc<dyn crate::backend::SavedWork>>,
    /// On the AWS source, the engine not chosen (to compare with or switch to), or why it
    /// cannot open.
    pub(super) alternate: Option<Result<Alternate, String>>,
    /// The cache lake beside the source, where results are kept (`None` when its folder cannot
    /// be opened; the source works without it).
    pub(super) cache: Option<Arc<CachedSource>>,
    /// S3 object stores signed like the source's clients (the AWS source), for copies.
    pub(super) stores: Option<Arc<dyn crate::backend::local::ObjectStoreFactory>>,
}

/// An engine and which of the two it is.
pub(super) type ChosenEngine = (EngineChoice, Arc<dyn QueryEngine>);

/// The AWS source's engine not chosen at start.
pub(super) struct Alternate {
    pub(super) kind: EngineChoice,
    pub(super) engine: Arc<dyn QueryEngine>,
    /// The TUI's title while it runs the queries.
    pub(super) title: String,
}

/// AWS settings: flags first, then `[aws]` in config, then defaults.
pub(super) fn aws_options(cli: &Cli, config: &Config) -> AwsOptions {
    let flags = &cli.aws;
    let file = &config.aws;
    let pick = |flag: &Option<String>, key: &Option<String>| flag.clone().or_else(|| key.clone());
    let defaults = AwsOptions::default();
    AwsOptions {
        profile: pick(&flags.profile, &file.profile),
        region: pick(&flags.region, &file.region),
        workgroup: pick(&flags.workgroup, &file.workgroup).unwrap_or(defaults.workgroup),
        output_location: pick(&flags.output_location, &file.output_location),
        catalog: pick(&flags.catalog, &file.catalog).unwrap_or(defaults.catalog),
        database: pick(&cli.database, &file.database),
        endpoint_url: pick(&flags.endpoint_url, &file.endpoint_url),
        result_reuse_minutes: file.result_reuse_minutes,
        unload: UnloadPolicy {
            mode: file.unload.unwrap_or(defaults.unload.mode),
            min_rows: file.unload_min_rows.unwrap_or(defaults.unload.min_rows),
            location: file.unload_location.clone(),
            keep_files: file.unload_keep_files.unwrap_or(defaults.unload.keep_files),
        },
    }
}

pub(super) fn engine_choice(cli: &Cli, config: &Config) -> EngineChoice {
    cli.aws
        .engine
        .or(config.aws.engine)
        .unwrap_or(EngineChoice::Athena)
}

/// Opens the chosen source with the cache lake beside it; failures are reported and returned
/// as the exit code.
pub(super) async fn open_source(
    choice: &SourceChoice,
    config: &Config,
    row_limit: usize,
    threads: Option<usize>,
) -> Result<Opened, ExitCode> {
    let opened = open_bare_source(choice, config, row_limit, threads).await?;
    let options = EngineOptions {
        pricing: Pricing {
            usd_per_tb: config.price_per_tb_usd,
        },
        row_limit,
        target_partitions: threads,
        reuse_results: config.reuse_results,
    };
    let dir = config.cache.dir();
    let cached = CacheLake::open(&dir)
        .map_err(|e| e.to_string())
        .and_then(|lake| {
            CachedSource::new(
                Arc::clone(&opened.catalog),
                Arc::clone(&opened.engine),
                lake,
                options,
            )
            .map(|source| source.with_budget(config.cache.budget_bytes()))
        });
    let source = match cached {
        Ok(source) => Arc::new(source),
        Err(e) => {
            eprintln!(
                "quarry: the cache lake {} cannot be opened ({e}); kept results are unavailable",
                dir.display()
            );
            return Ok(opened);
        }
    };
    Ok(Opened {
        catalog: Arc::clone(&source) as Arc<dyn Catalog>,
        engine: Arc::clone(&source) as Arc<dyn QueryEngine>,
        alternate: opened.alternate.map(|alternate| {
            alternate.map(|a| Alternate {
                engine: Arc::new(source.with_engine(a.engine)),
                ..a
            })
        }),
        cache: Some(source),
        ..opened
    })
}

async fn open_bare_source(
    choice: &SourceChoice,
    config: &Config,
    row_limit: usize,
    threads: Option<usize>,
) -> Result<Opened, ExitCode> {
    let Some((options, engine)) = &choice.aws else {
        let (catalog, engine) = open_local(&choice.lake, config, row_limit, threads)?;
        let catalog: Arc<dyn Catalog> = Arc::new(catalog);
        let database = match &choice.database {
            Some(db) => Some(db.clone()),
            None => default_database(catalog.as_ref()).await,
        };
        return Ok(Opened {
            catalog,
            engine: Arc::new(engine),
            title: format!("local lake {}", tilde(&choice.lake)),
            database,
            workspace: None,
            alternate: None,
            cache: None,
            stores: None,
        });
    };
    open_aws(options, *engine, config, row_limit, threads).await
}

/// The AWS source: Glue with the chosen engine, and the other engine beside it.
#[cfg(feature = "aws")]
async fn open_aws(
    options: &AwsOptions,
    engine: EngineChoice,
    config: &Config,
    row_limit: usize,
    threads: Option<usize>,
) -> Result<Opened, ExitCode> {
    let pricing = Pricing {
        usd_per_tb: config.price_per_tb_usd,
    };
    let clients = AwsClients::connect(options)
        .await
        .map_err(|e| fail(EXIT_USAGE, &e))?;
    let title_for = |kind: EngineChoice| match kind {
        EngineChoice::Athena => format!(
            "AWS {} · Athena workgroup {}",
            clients.region, options.workgroup
        ),
        EngineChoice::Local => format!("AWS {} · Glue · local engine", clients.region),
    };
    let title = title_for(engine);
    let catalog: Arc<dyn Catalog> =
        Arc::new(GlueCatalog::new(clients.glue.clone(), clients.s3.clone()));
    let database = match &options.database {
        Some(db) => Some(db.clone()),
        None => default_database(catalog.as_ref()).await,
    };
    let workspace = Workspace::new(clients.athena.clone(), options.workgroup.clone());
    let engine_options = EngineOptions {
        pricing,
        row_limit,
        target_partitions: threads,
        reuse_results: config.reuse_results,
    };
    let build = |kind: EngineChoice| -> Result<Arc<dyn QueryEngine>, String> {
        match kind {
            EngineChoice::Athena => Ok(Arc::new(AthenaEngine::new(
                clients.clone(),
                options.clone(),
                pricing,
                row_limit,
            ))),
            EngineChoice::Local => {
                let stores = clients
                    .stores()
                    .ok_or("the local engine needs AWS credentials to read S3")?;
                let local = LocalEngine::open_remote(
                    Arc::clone(&catalog),
                    Arc::new(stores),
                    engine_options.clone(),
                )
                .map_err(|e| e.to_string())?;
                Ok(Arc::new(local))
            }
        }
    };
    let chosen = build(engine).map_err(|e| fail(EXIT_USAGE, &e))?;
    let other = match engine {
        EngineChoice::Athena => EngineChoice::Local,
        EngineChoice::Local => EngineChoice::Athena,
    };
    let alternate = build(other).map(|engine| Alternate {
        kind: other,
        engine,
        title: title_for(other),
    });
    Ok(Opened {
        catalog,
        engine: chosen,
        title,
        database,
        workspace: Some(Arc::new(workspace)),
        alternate: Some(alternate),
        cache: None,
        stores: clients
            .stores()
            .map(|s| Arc::new(s) as Arc<dyn crate::backend::local::ObjectStoreFactory>),
    })
}

#[cfg(not(feature = "aws"))]
#[allow(clippy::unused_async)] // the same signature as the aws build's
async fn open_aws(
    _: &AwsOptions,
    _: EngineChoice,
    _: &Config,
    _: usize,
    _: Option<usize>,
) -> Result<Opened, ExitCode> {
    Err(fail(EXIT_USAGE, &BUILT_WITHOUT_AWS))
}

/// Opens the lake's catalog and a DataFusion engine over it; failures are reported and
/// returned as the exit code.
pub(super) fn open_local(
    lake: &Path,
    config: &Config,
    row_limit: usize,
    threads: Option<usize>,
) -> Result<(Arc<LocalCatalog>, LocalEngine), ExitCode> {
    let catalog = Arc::new(LocalCatalog::open(lake).map_err(|e| fail(EXIT_USAGE, &e))?);
    let options = EngineOptions {
        pricing: Pricing {
            usd_per_tb: config.price_per_tb_usd,
        },
        row_limit,
        target_partitions: threads,
        reuse_results: config.reuse_results,
    };
    let engine =
        LocalEngine::open(Arc::clone(&catalog), options).map_err(|e| fail(EXIT_QUERY_ERROR, &e))?;
    Ok((catalog, engine))
}

/// Only the chosen source's catalog (no engine), for commands that read or change the catalog.
pub(super) async fn open_catalog(choice: &SourceChoice) -> Result<Arc<dyn Catalog>, ExitCode> {
    let Some((options, _)) = &choice.aws else {
        let catalog = LocalCatalog::open(&choice.lake).map_err(|e| fail(EXIT_USAGE, &e))?;
        return Ok(Arc::new(Arc::new(catalog)));
    };
    open_glue(options).await
}

#[cfg(feature = "aws")]
async fn open_glue(options: &AwsOptions) -> Result<Arc<dyn Catalog>, ExitCode> {
    let clients = AwsClients::connect(options)
        .await
        .map_err(|e| fail(EXIT_USAGE, &e))?;
    Ok(Arc::new(GlueCatalog::new(
        clients.glue.clone(),
        clients.s3.clone(),
    )))
}

#[cfg(not(feature = "aws"))]
#[allow(clippy::unused_async)] // the same signature as the aws build's
async fn open_glue(_: &AwsOptions) -> Result<Arc<dyn Catalog>, ExitCode> {
    Err(fail(EXIT_USAGE, &BUILT_WITHOUT_AWS))
}

/// The source's only named database, so `FROM logs` works on the demo lake.
pub(super) async fn default_database(catalog: &dyn Catalog) -> Option<String> {
    let databases = catalog.databases().await.ok()?;
    let named: Vec<_> = databases
        .iter()
        .filter(|d| d.name != discovery::DEFAULT_DATABASE)
        .collect();
    match named.as_slice() {
        [only] => Some(only.name.clone()),
        _ => None,
    }
}

/// `~/…` for paths under the home folder, to keep titles short.
pub(super) fn tilde(path: &Path) -> String {
    match dirs::home_dir().and_then(|home| path.strip_prefix(home).ok().map(Path::to_path_buf)) {
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

/// A table named on the command line: `DB.TABLE`, or `TABLE` in `database` (`--database`).
pub(super) fn table_name(text: &str, database: Option<&str>) -> Result<TableName, String> {
    match (text.split_once('.'), database) {
        (Some((db, table)), _) => Ok(TableName::new(db, table)),
        (None, Some(db)) => Ok(TableName::new(db, text)),
        (None, None) => Err(format!(
            "{text}: name the database (DB.TABLE) or pass --database"
        )),
    }
}
