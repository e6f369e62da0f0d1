//! The command line: `serve` (default), `migrate`, `seed`, `create-user`, `export-schema`.

use std::{io::BufRead, process::ExitCode, sync::Arc};

use clap::{Parser, Subcommand, ValueEnum};
use entity::enums::Role;
use migration::{Migrator, MigratorTrait};

use crate::{
    auth::password::Passwords,
    config::Config,
    db::{self, DbSettings},
    error::AppError,
    graphql::{export_partner_sdl, export_sdl},
    metrics::Metrics,
    seed, startup, telemetry,
};

#[derive(Parser)]
#[command(
    name = "salesgraph",
    version,
    about = "GraphQL API server for sales organizations"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default). Settings come from the environment and `.env`.
    Serve,
    /// Apply, roll back or list database migrations.
    Migrate {
        #[arg(value_enum, default_value_t = MigrateAction::Up)]
        action: MigrateAction,
        /// With `down`: how many migrations to roll back.
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// Load data: the demo organization, or a large deterministic data set.
    Seed {
        /// The demo organization (refused when the database already has users).
        #[arg(long, conflicts_with = "scale")]
        demo: bool,
        /// A data set with N opportunities and proportional everything else.
        #[arg(long, value_name = "N")]
        scale: Option<u64>,
    },
    /// Create a user; the password is read from SALESGRAPH_NEW_PASSWORD or standard input.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Email of the user's manager.
        #[arg(long)]
        manager: Option<String>,
    },
    /// Print the GraphQL schema (SDL), or write it to a file.
    ExportSchema {
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
        /// Whose schema: `internal` (the full one, `schema.graphql`) or `partner`
        /// (`schema.partner.graphql`).
        #[arg(long, value_enum, default_value_t = SchemaRole::Internal)]
        role: SchemaRole,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SchemaRole {
    Internal,
    Partner,
}

#[derive(Clone, Copy, ValueEnum)]
enum MigrateAction {
    Up,
    Down,
    Status,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Sdr,
    AccountExecutive,
    AccountManager,
    CustomerSuccess,
    SalesManager,
    Director,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Sdr => Role::Sdr,
            RoleArg::AccountExecutive => Role::AccountExecutive,
            RoleArg::AccountManager => Role::AccountManager,
            RoleArg::CustomerSuccess => Role::CustomerSuccess,
            RoleArg::SalesManager => Role::SalesManager,
            RoleArg::Director => Role::Director,
        }
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::ExportSchema { output, role }) = &cli.command {
        return export_schema(output.as_deref(), *role);
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("salesgraph: {e}");
            return ExitCode::from(2);
        }
    };
    let _telemetry = telemetry::init(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("salesgraph: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let detail = match &e {
                AppError::Internal(cause) => cause.clone(),
                other => other.to_string(),
            };
            eprintln!("salesgraph: {detail}");
            ExitCode::FAILURE
        }
    }
}

fn export_schema(output: Option<&std::path::Path>, role: SchemaRole) -> ExitCode {
    let sdl = match role {
        SchemaRole::Internal => export_sdl(),
        SchemaRole::Partner => export_partner_sdl(),
    };
    match output {
        None => {
            use std::io::Write;
            let _ = std::io::stdout().write_all(sdl.as_bytes());
            ExitCode::SUCCESS
        }
        Some(path) => match std::fs::write(path, sdl) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("salesgraph: cannot write {}: {e}", path.display());
                ExitCode::FAILURE
            }
        },
    }
}

async fn connect(config: &Config) -> Result<sea_orm::DatabaseConnection, AppError> {
    db::connect(
        DbSettings {
            url: &config.database_url,
            max_connections: config.db_max_connections,
            acquire_timeout: config.db_acquire_timeout,
            statement_timeout: None,
        },
        Arc::new(Metrics::new()?),
    )
    .await
}

async fn run(command: Command, config: Config) -> Result<(), AppError> {
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate { action, steps } => {
            let db = connect(&config).await?;
            let fail = |e: sea_orm::DbErr| AppError::Internal(format!("migration failed: {e}"));
            match action {
                MigrateAction::Up => Migrator::up(&db, None).await.map_err(fail)?,
                MigrateAction::Down => Migrator::down(&db, Some(steps)).await.map_err(fail)?,
                MigrateAction::Status => Migrator::status(&db).await.map_err(fail)?,
            }
            Ok(())
        }
        Command::Seed { demo, scale } => {
            let db = connect(&config).await?;
            db::migrate(&db).await?;
            match (demo, scale) {
                (true, _) => {
                    let passwords = Passwords::new(&config.argon2)?;
                    if !seed::demo::seed(&db, &passwords).await? {
                        return Err(AppError::Internal(
                            "the database already has users; the demo organization is seeded only into an empty database".into(),
                        ));
                    }
                    tracing::info!("seeded the demo organization");
                    Ok(())
                }
                (false, Some(n)) => {
                    let passwords = Passwords::new(&config.argon2)?;
                    let report = seed::scale::seed(&db, &passwords, n).await?;
                    tracing::info!(%report, "seeded the scale data set");
                    Ok(())
                }
                (false, None) => Err(AppError::Internal("seed needs --demo or --scale N".into())),
            }
        }
        Command::CreateUser {
            email,
            name,
            role,
            manager,
        } => {
            let password = match std::env::var("SALESGRAPH_NEW_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .lock()
                        .read_line(&mut line)
                        .map_err(AppError::internal)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let db = connect(&config).await?;
            db::migrate(&db).await?;
            let passwords = Passwords::new(&config.argon2)?;
            let user = seed::create_user(
                &db,
                &passwords,
                &email,
                &name,
                role.into(),
                manager.as_deref(),
                &password,
            )
            .await?;
            tracing::info!(id = %user.id, email = %user.email, "user created");
            Ok(())
        }
        Command::ExportSchema { .. } => Ok(()),
    }
}

async fn serve(config: Config) -> Result<(), AppError> {
    let demo_logins = config.seed_demo;
    let app = startup::build(config).await?;
    let addr = app.state.config.addr;
    tracing::info!(%addr, graphiql = app.state.config.graphiql, "salesgraph listening");
    if demo_logins {
        tracing::info!(
            "demo logins (password `{}`): {}",
            seed::demo::DEMO_PASSWORD,
            seed::demo::DEMO_LOGINS.join(", ")
        );
    }
    if app.state.config.graphiql {
        tracing::info!("GraphiQL: http://{addr}/graphql");
    }
    // Subscriptions are closed with 1001 ("going away") as shutdown begins, so clients
    // reconnect to another replica instead of waiting out the drain.
    let hub = app.state.hub.clone();
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            if let Ok(mut term) = signal(SignalKind::terminate()) {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        hub.shut_down();
    });
    app.server.await.map_err(AppError::internal)
}
