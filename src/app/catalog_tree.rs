//! The catalog sidebar's model: databases → tables → columns, loaded lazily, flattened into
//! rows for drawing and cursor movement.

use crate::backend::{Database, TableInfo, TableName};

/// What a row of the tree stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowKind {
    Database(String),
    Table(TableName),
    Column {
        table: TableName,
        name: String,
        data_type: String,
        partition_key: bool,
        comment: Option<String>,
    },
    /// Loading, an error, or a table problem: shown, not selectable for actions.
    Note {
        text: String,
        warning: bool,
    },
}

/// One visible line of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow {
    pub depth: u16,
    pub kind: RowKind,
    /// `Some(expanded)` for rows that can open.
    pub expanded: Option<bool>,
}

#[derive(Debug, Clone, Default)]
enum Load<T> {
    #[default]
    NotRequested,
    Loading,
    Loaded(T),
    Failed(String),
}

#[derive(Debug, Clone)]
struct TableNode {
    name: TableName,
    expanded: bool,
    info: Load<Box<TableInfo>>,
}

#[derive(Debug, Clone)]
struct DatabaseNode {
    database: Database,
    expanded: bool,
    tables: Load<Vec<TableNode>>,
}

/// The tree and its cursor.
#[derive(Debug, Clone, Default)]
pub struct CatalogTree {
    databases: Load<Vec<DatabaseNode>>,
    pub selected: usize,
    /// Shows only tables whose name contains this (case-insensitive).
    pub filter: String,
    /// True while keys go to the filter line.
    pub editing_filter: bool,
}

/// What the tree needs loaded after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadRequest {
    Tables(String),
    Table(TableName),
}

impl CatalogTree {
    /// Marks the database list as being loaded.
    pub fn start_loading(&mut self) {
        self.databases = Load::Loading;
    }

    /// Stores the database list. A lake with one database opens it at once.
    pub fn set_databases(&mut self, result: Result<Vec<Database>, String>) -> Option<LoadRequest> {
        match result {
            Ok(databases) => {
                let single = databases.len() == 1;
                let nodes: Vec<DatabaseNode> = databases
                    .into_iter()
                    .map(|database| DatabaseNode {
                        database,
                        expanded: false,
                        tables: Load::NotRequested,
                    })
                    .collect();
                self.databases = Load::Loaded(nodes);
                if single {
                    self.selected = 0;
                    return self.expand();
                }
                None
            }
            Err(e) => {
                self.databases = Load::Failed(e);
                None
            }
        }
    }

    /// Stores the tables of a database.
    pub fn set_tables(&mut self, database: &str, result: Result<Vec<TableName>, String>) {
        if let Some(node) = self.database_mut(database) {
            node.tables = match result {
                Ok(names) => Load::Loaded(
                    names
                        .into_iter()
                        .map(|name| TableNode {
                            name,
                            expanded: false,
                            info: Load::NotRequested,
                        })
                        .collect(),
                ),
                Err(e) => Load::Failed(e),
            };
        }
    }

    /// Stores a table's details.
    pub fn set_table(&mut self, name: &TableName, result: Result<Box<TableInfo>, String>) {
        if let Some(table) = self.table_mut(name) {
            table.info = match result {
                Ok(info) => Load::Loaded(info),
                Err(e) => Load::Failed(e),
            };
        }
    }

    /// Details of a loaded table.
    pub fn table_info(&self, name: &TableName) -> Option<&TableInfo> {
        let Load::Loaded(dbs) = &self.databases else {
            return None;
        };
        dbs.iter().find_map(|db| match &db.tables {
            Load::Loaded(tables) => tables
                .iter()
                .find(|t| t.name == *name)
                .and_then(|t| match &t.info {
                    Load::Loaded(info) => Some(info.as_ref()),
                    _ => None,
                }),
            _ => None,
        })
    }

    /// Names of the loaded databases.
    pub fn database_names(&self) -> Vec<String> {
        match &self.databases {
            Load::Loaded(dbs) => dbs.iter().map(|d| d.database.name.clone()).collect(),
            _ => Vec::new(),
        }
    }

    /// Asks for a table's details without opening it in the tree (completion needs columns).
    pub fn request_table(&mut self, name: &TableName) -> Option<LoadRequest> {
        let table = self.table_mut(name)?;
        if matches!(table.info, Load::NotRequested | Load::Failed(_)) {
            table.info = Load::Loading;
            return Some(LoadRequest::Table(name.clone()));
        }
        None
    }

    /// Every loaded table name, for completion and hints.
    pub fn table_names(&self) -> Vec<TableName> {
        let Load::Loaded(dbs) = &self.databases else {
            return Vec::new();
        };
        dbs.iter()
            .filter_map(|db| match &db.tables {
                Load::Loaded(tables) => Some(tables.iter().map(|t| t.name.clone())),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// The visible rows, top to bottom.
    pub fn rows(&self) -> Vec<TreeRow> {
        let mut rows = Vec::new();
        match &self.databases {
            Load::NotRequested => {}
            Load::Loading => rows.push(note(0, "loading databases…", false)),
            Load::Failed(e) => rows.push(note(0, e, true)),
            Load::Loaded(dbs) if dbs.is_empty() => {
                rows.push(note(0, "no databases in this source", true));
            }
            Load::Loaded(dbs) => {
                for db in dbs {
                    rows.push(TreeRow {
                        depth: 0,
                        kind: RowKind::Database(db.database.name.clone()),
                        expanded: Some(db.expanded),
                    });
                    if db.expanded {
                        push_tables(&mut rows, db, &self.filter.to_lowercase());
                    }
                }
            }
        }
        rows
    }

    /// The row under the cursor.
    pub fn selected_row(&self) -> Option<TreeRow> {
        self.rows().into_iter().nth(self.selected)
    }

    /// Replaces the table-name filter, keeping the cursor inside the shorter tree.
    pub fn set_filter(&mut self, filter: String) {
        self.filter = filter;
        self.move_by(0);
    }

    /// Moves the cursor, staying inside the tree.
    pub fn move_by(&mut self, delta: isize) {
        let count = self.rows().len();
        if count == 0 {
            self.selected = 0;
            return;
        }
        self.selected = self.selected.saturating_add_signed(delta).min(count - 1);
    }

    /// Opens the selected database or table, asking for what it needs to show.
    pub fn expand(&mut self) -> Option<LoadRequest> {
        match self.selected_row()?.kind {
            RowKind::Database(name) => {
                let node = self.database_mut(&name)?;
                node.expanded = true;
                if matches!(node.tables, Load::NotRequested | Load::Failed(_)) {
                    node.tables = Load::Loading;
                    return Some(LoadRequest::Tables(name));
                }
                None
            }
            RowKind::Table(name) => {
                let table = self.table_mut(&name)?;
                table.expanded = true;
                if matches!(table.info, Load::NotRequested | Load::Failed(_)) {
                    table.info = Load::Loading;
                    return Some(LoadRequest::Table(name));
                }
                None
            }
            _ => None,
        }
    }

    /// Closes the selected node, or moves to its parent when it is closed or a leaf.
    pub fn collapse(&mut self) {
        let rows = self.rows();
        let Some(row) = rows.get(self.selected).cloned() else {
            return;
        };
        match (&row.kind, row.expanded) {
            (RowKind::Database(name), Some(true)) => {
                if let Some(node) = self.database_mut(name) {
                    node.expanded = false;
                }
            }
            (RowKind::Table(name), Some(true)) => {
                if let Some(node) = self.table_mut(name) {
                    node.expanded = false;
                }
            }
            _ if row.depth > 0 => {
                if let Some(parent) = rows[..self.selected]
                    .iter()
                    .rposition(|r| r.depth < row.depth)
                {
                    self.selected = parent;
                }
            }
            _ => {}
        }
    }

    fn database_mut(&mut self, name: &str) -> Option<&mut DatabaseNode> {
        let Load::Loaded(dbs) = &mut self.databases else {
            return None;
        };
        dbs.iter_mut().find(|d| d.database.name == name)
    }

    fn table_mut(&mut self, name: &TableName) -> Option<&mut TableNode> {
        let db = self.database_mut(&name.database)?;
        let Load::Loaded(tables) = &mut db.tables else {
            return None;
        };
        tables.iter_mut().find(|t| t.name == *name)
    }
}

fn push_tables(rows: &mut Vec<TreeRow>, db: &DatabaseNode, filter: &str) {
    match &db.tables {
        Load::NotRequested => {}
        Load::Loading => rows.push(note(1, "loading tables…", false)),
        Load::Failed(e) => rows.push(note(1, e, true)),
        Load::Loaded(tables) if tables.is_empty() => rows.push(note(1, "no tables", false)),
        Load::Loaded(tables) => {
            let shown = tables
                .iter()
                .filter(|t| t.name.name.to_lowercase().contains(filter));
            let before = rows.len();
            for table in shown {
                rows.push(TreeRow {
                    depth: 1,
                    kind: RowKind::Table(table.name.clone()),
                    expanded: Some(table.expanded),
                });
                if table.expanded {
                    push_columns(rows, table);
                }
            }
            if rows.len() == before {
                rows.push(note(1, &format!("no table matches “{filter}”"), false));
            }
        }
    }
}

fn push_columns(rows: &mut Vec<TreeRow>, table: &TableNode) {
    match &table.info {
        Load::NotRequested => {}
        Load::Loading => rows.push(note(2, "loading columns…", false)),
        Load::Failed(e) => rows.push(note(2, e, true)),
        Load::Loaded(info) => {
            let columns = info.columns.iter().map(|c| (c, false));
            let keys = info.partition_keys.iter().map(|c| (c, true));
            for (column, partition_key) in columns.chain(keys) {
                rows.push(TreeRow {
                    depth: 2,
                    kind: RowKind::Column {
                        table: table.name.clone(),
                        name: column.name.clone(),
                        data_type: column.data_type.clone(),
                        partition_key,
                        comment: column.comment.clone(),
                    },
                    expanded: None,
                });
            }
            for problem in &info.problems {
                rows.push(note(2, problem, true));
            }
        }
    }
}

fn note(depth: u16, text: &str, warning: bool) -> TreeRow {
    TreeRow {
        depth,
        kind: RowKind::Note {
            text: text.to_owned(),
            warning,
        },
        expanded: None,
    }
}
