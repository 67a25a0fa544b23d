using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Customers;
using Portal.Core.Data;

namespace Portal.Core.Uploads;

/// <summary>
/// The rows of an import on their way into a SQLite table. While the file is still being read, the writer stage appends
/// each batch it keeps to a TEMP table on the import's own connection: a temp table lives in a file of its own, so this
/// takes no lock on the portal's database and everybody else keeps writing. The commit then copies the staged rows into
/// the table in one <c>INSERT … SELECT</c> inside its transaction, dropping the table's indexes first and building them
/// again after when the rows are many (one sort per index beats a million scattered index inserts). Nothing reaches the
/// table before that commit: a rejected or failed import closes the connection and the temp table goes with it.
/// Values are bound through SQLite's C API (prepared multi-row INSERTs, as the demo-data loader does), never pasted into
/// the SQL; the table and column names are the catalog's.
/// </summary>
internal sealed class SqliteTableStage : IAsyncDisposable
{
    private const string Stage = "temp.upload_stage";
    private const int RowsPerStatement = 100;
    private readonly PortalDbContext _db;
    private readonly SqliteConnection _connection;
    private readonly string _table;
    private readonly string[] _names;
    private readonly string _columns;
    private readonly DatasetSchema _schema;
    private SqliteRow? _full;
    private bool _foreignKeysOff;

    private SqliteTableStage(PortalDbContext db, DatasetSchema schema)
    {
        _db = db;
        _schema = schema;
        _connection = (SqliteConnection)db.Database.GetDbConnection();
        _table = schema.Table ?? throw new ArgumentException($"{schema.Name} is not loaded into a table.", nameof(schema));
        _names = [.. schema.Columns.Select(c => c.Name)];
        _columns = string.Join(", ", _names);
    }

    /// <summary>The context whose connection holds the stage: the import commits through it.</summary>
    public PortalDbContext Db => _db;

    public long Rows { get; private set; }

    /// <summary>Opens a connection of its own and creates the empty stage, shaped like the table (column names and types, no keys or indexes).</summary>
    public static async Task<SqliteTableStage> CreateAsync(IDbContextFactory<PortalDbContext> dbFactory, DatasetSchema schema,
        CancellationToken cancellationToken)
    {
        var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        try
        {
            var stage = new SqliteTableStage(db, schema);
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.ExecuteAsync($"DROP TABLE IF EXISTS {Stage}", [], cancellationToken);
            await db.ExecuteAsync("PRAGMA foreign_keys=OFF", [], cancellationToken);
            await db.ExecuteAsync($"CREATE TEMP TABLE upload_stage AS SELECT {stage._columns} FROM main.{stage._table} WHERE 0", [], cancellationToken);
            return stage;
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>Appends the first <paramref name="count"/> rows of a batch, in one transaction of the temp database.</summary>
    public void Append(ColumnBuffer[] columns, int count)
    {
        using var transaction = _connection.BeginTransaction();
        _full ??= new SqliteRow(_connection, Stage, _names, RowsPerStatement);
        for (var start = 0; start < count; start += RowsPerStatement)
        {
            var n = Math.Min(RowsPerStatement, count - start);
            using var part = n == RowsPerStatement ? null : new SqliteRow(_connection, Stage, _names, n);
            var statement = part ?? _full;
            for (var c = 0; c < columns.Length; c++)
            {
                Bind(statement, columns[c], c, start, n);
            }

            statement.Execute();
        }

        transaction.Commit();
        Rows += count;
    }

    /// <summary>
    /// Binds rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> of a column, one type
    /// test per column and statement rather than per value. The tables have no nullable columns: an optional value that
    /// is missing goes in as empty text.
    /// </summary>
    private static void Bind(SqliteRow statement, ColumnBuffer column, int c, int start, int count)
    {
        var type = column.Column.Type;
        for (var r = 0; r < count; r++)
        {
            statement.Row = r;
            var row = start + r;
            if (column.IsNull(row))
            {
                statement.Text(c, "");
                continue;
            }

            switch (type)
            {
                case ColumnType.Int64:
                    statement.Int(c, column.Int64(row));
                    break;
                case ColumnType.Decimal:
                    statement.Real(c, (double)column.Decimal(row));
                    break;
                case ColumnType.Double:
                    statement.Real(c, column.Double(row));
                    break;
                case ColumnType.String:
                    statement.Text(c, column.String(row)!);
                    break;
                case ColumnType.DateTime or ColumnType.Date:
                    statement.Date(c, column.DateTime(row));
                    break;
                default:
                    throw new InvalidOperationException($"Cannot load a {type} column.");
            }
        }
    }

    /// <summary>
    /// Turns SQLite's foreign-key enforcement off on this connection for the copy (it can only change outside a
    /// transaction): the references were checked while reading, and the commit checks the keys referred to once more
    /// inside its transaction (<see cref="DatasetImporter"/>), once per key instead of once per row inserted, which was
    /// two thirds of the copy's time. <see cref="DisposeAsync"/> turns it back on before the connection goes back to the pool.
    /// </summary>
    public async Task BeforeTransactionAsync(CancellationToken cancellationToken)
    {
        if (_db.Database.CurrentTransaction is not null)
        {
            throw new InvalidOperationException("Foreign keys can only be switched outside a transaction.");
        }

        _foreignKeysOff = true;
        await _db.ExecuteAsync("PRAGMA foreign_keys=OFF;", [], cancellationToken);
    }

    /// <summary>Copies the staged rows into the table, inside the transaction the caller began on <see cref="Db"/>.</summary>
    public async Task<long> CopyIntoTableAsync(CancellationToken cancellationToken)
    {
        if (_db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Copy inside a transaction.");
        }

        var stored = await TableLookup.Keys(_db, _table).LongCountAsync(cancellationToken);
        var rebuild = Rows >= 10_000 && Rows * 4 >= stored;
        var indexes = new List<(string Name, string Sql)>();
        if (rebuild)
        {
            await using var list = await _db.CommandAsync(
                "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = @table", [("@table", _table)], cancellationToken);
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                indexes.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (name, _) in indexes)
        {
            await _db.ExecuteAsync($"DROP INDEX main.\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", [], cancellationToken);
        }

        // SQLite's own page cache (2 MB) is left as it is: its index builds sort faster in small runs merged than in a
        // big cache (measured: 1.7-1.9 s against 3-4 s with 16 MB, for three indexes over a million rows).
        var copied = await _db.ExecuteAsync($"INSERT INTO main.{_table} ({_columns}) SELECT {_columns} FROM {Stage}", [], cancellationToken);
        foreach (var (_, sql) in indexes)
        {
            await _db.ExecuteAsync(sql, [], cancellationToken);
        }

        return copied;
    }

    public async ValueTask DisposeAsync()
    {
        _full?.Dispose();
        try
        {
            if (_connection.State == System.Data.ConnectionState.Open)
            {
                await _db.ExecuteAsync($"DROP TABLE IF EXISTS {Stage}", [], CancellationToken.None);
                if (_foreignKeysOff)
                {
                    await _db.ExecuteAsync("PRAGMA foreign_keys=ON;", [], CancellationToken.None);
                }
            }
        }
        finally
        {
            await _db.DisposeAsync();
        }
    }
}
