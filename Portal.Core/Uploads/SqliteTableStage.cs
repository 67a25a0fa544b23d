using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Data;

namespace Portal.Core.Uploads;

/// <summary>
/// An import's keys on SQLite, on their way into the dataset's table. While the file is read, the writer stage adds each
/// new key to a TEMP table on the import's own connection, with the hash of the row that brought it and what became of
/// it (<see cref="StageState"/>): a temp table lives in a file of its own, so this takes no lock on the portal's database,
/// and the keys seen so far are on disk rather than in memory, whatever the file's length. A key above every key before
/// it (as in most files) goes to a <see cref="SortedKeyLog"/> instead, which costs far less than a B-tree insert; the
/// temp table holds the others, and the new states of keys in the log. A row whose key may have been seen (see
/// <see cref="KeyFilter"/>) is looked up in both. Only keys go in: the rows kept are the staged Parquet file's,
/// and the commit loads them from it (<see cref="LoadIntoTableAsync"/>) inside its transaction, dropping the table's
/// indexes first and building them again after when the rows are many (one sort per index beats a million scattered
/// index inserts). Nothing reaches the table before that commit: a rejected or failed import drops the temp table, and
/// its session closes the connection. Values are bound through SQLite's C API (prepared multi-row INSERTs, as the demo-data
/// loader does), never pasted into the SQL; the table and column names are the catalog's.
/// </summary>
internal sealed class SqliteTableStage : IAsyncDisposable
{
    private const string Stage = "temp.upload_stage";
    private const int RowsPerStatement = 500;
    private readonly PortalDbContext _db;
    private readonly SqliteConnection _connection;
    private readonly DatasetSchema _schema;
    private readonly string _table;
    private readonly string[] _names;
    private readonly string _key;
    private readonly string[] _stagedColumns;
    private readonly long[] _pendingKey = new long[RowsPerStatement];
    private readonly long[] _pendingHash = new long[RowsPerStatement];
    private readonly StageState[] _pendingState = new StageState[RowsPerStatement];
    private int _pendingCount;
    private SqliteTransaction? _transaction;
    private readonly SortedKeyLog _log = new();
    private SqliteRow? _full, _one, _find, _replace;
    private bool _tableUsed;

    private SqliteTableStage(PortalDbContext db, DatasetSchema schema)
    {
        _db = db;
        _connection = (SqliteConnection)db.Database.GetDbConnection();
        _schema = schema;
        _table = schema.Table ?? throw new ArgumentException($"{schema.Name} is not loaded into a table.", nameof(schema));
        _names = [.. schema.Columns.Select(c => c.Name)];
        var keys = schema.Columns.Where(c => c.Key).ToList();
        _key = keys is [{ Type: ColumnType.Int64, Required: true } key]
            ? key.Name
            : throw new ArgumentException($"{schema.Name} is not keyed by one required Int64.", nameof(schema));
        _stagedColumns = [_key, "_hash", "_state"];
    }

    /// <summary>The keys staged as taken by a row kept: the rows the commit loads.</summary>
    public long Rows { get; private set; }

    /// <summary>
    /// Creates the empty stage (keyed by the dataset's key, with each row's hash and state) and its log on the open
    /// SQLite connection of <paramref name="db"/>, the import session's (<see cref="ImportSession"/>), which owns them both.
    /// </summary>
    public static async Task<SqliteTableStage> CreateAsync(PortalDbContext db, DatasetSchema schema, CancellationToken cancellationToken)
    {
        var stage = new SqliteTableStage(db, schema);
        try
        {
            await db.ExecuteAsync($"DROP TABLE IF EXISTS {Stage}", [], cancellationToken);
            // On disk (a temp file, through SQLite's 2 MB page cache) whatever the build's default: memory stays flat.
            await db.ExecuteAsync("PRAGMA temp_store=FILE;", [], cancellationToken);
            await db.ExecuteAsync($"CREATE TEMP TABLE upload_stage ({stage._key} INTEGER PRIMARY KEY, _hash INTEGER NOT NULL, _state INTEGER NOT NULL)",
                [], cancellationToken);
            return stage;
        }
        catch
        {
            stage._log.Dispose();
            throw;
        }
    }

    /// <summary>Starts staging a batch's keys: one transaction of the temp database, until <see cref="Commit"/>.</summary>
    public void Begin() => _transaction = _connection.BeginTransaction();

    /// <summary>Stages a key not staged yet (it is the stage's primary key: a second one fails), with its row's hash.</summary>
    public void Add(long key, long hash, StageState state)
    {
        if (state == StageState.Kept)
        {
            Rows++;
        }

        if (_log.Count == 0 || key > _log.Last)
        {
            // above every key so far: not in the table either, which only has keys below the log's last
            _log.Append(key, hash, state);
            return;
        }

        _tableUsed = true;
        _pendingKey[_pendingCount] = key;
        _pendingHash[_pendingCount] = hash;
        _pendingState[_pendingCount] = state;
        if (++_pendingCount == RowsPerStatement)
        {
            _full ??= new SqliteRow(_connection, Stage, _stagedColumns, RowsPerStatement);
            Execute(_full, 0, RowsPerStatement);
            _pendingCount = 0;
        }
    }

    /// <summary>The hash and state of the row staged with this key, if any: the table's (a key out of order, or a new state) before the log's.</summary>
    public (bool Found, long Hash, StageState State) Find(long key)
    {
        if (!_tableUsed)
        {
            return _log.Find(key);
        }

        Flush();
        _find ??= new SqliteRow(_connection, $"SELECT _hash, _state FROM {Stage} WHERE {_key} = ?", 1);
        try
        {
            _find.Row = 0;
            _find.Int(0, key);
            if (_find.StepToRow())
            {
                return (true, _find.ResultInt64(0), (StageState)_find.ResultInt64(1));
            }
        }
        finally
        {
            _find.Reset();
        }

        return _log.Find(key);
    }

    /// <summary>
    /// Gives a staged key (found with <paramref name="hash"/>) a new state: taken by a later row of the file, which the
    /// Parquet file holds instead of the first. A key in the log gets a row in the table, which <see cref="Find"/> reads first.
    /// </summary>
    public void Replace(long key, long hash, StageState state)
    {
        Flush();
        _tableUsed = true;
        _replace ??= new SqliteRow(_connection,
            $"INSERT INTO {Stage} ({_key}, _hash, _state) VALUES (?, ?, ?) ON CONFLICT({_key}) DO UPDATE SET _state = excluded._state", 3);
        _replace.Row = 0;
        _replace.Int(0, key);
        _replace.Int(1, hash);
        _replace.Int(2, (long)state);
        _replace.Execute();
        if (state == StageState.Kept)
        {
            Rows++;
        }
    }

    /// <summary>Stages what is pending and commits the batch.</summary>
    public void Commit()
    {
        Flush();
        _transaction?.Commit();
        _transaction?.Dispose();
        _transaction = null;
    }

    private void Flush()
    {
        if (_pendingCount == 0)
        {
            return;
        }

        _one ??= new SqliteRow(_connection, Stage, _stagedColumns, 1);
        for (var i = 0; i < _pendingCount; i++)
        {
            Execute(_one, i, 1);
        }

        _pendingCount = 0;
    }

    /// <summary>Binds and runs <paramref name="count"/> pending keys from <paramref name="first"/>, with their hashes and states.</summary>
    private void Execute(SqliteRow statement, int first, int count)
    {
        for (var r = 0; r < count; r++)
        {
            statement.Row = r;
            statement.Int(0, _pendingKey[first + r]);
            statement.Int(1, _pendingHash[first + r]);
            statement.Int(2, (long)_pendingState[first + r]);
        }

        statement.Execute();
    }

    /// <summary>
    /// Binds a column's value of <paramref name="count"/> rows from <paramref name="first"/> (the statement's rows 0, 1, …)
    /// as parameter <paramref name="c"/> of its row, one type test per column and statement rather than per value. The
    /// tables have no nullable columns: an optional value that is missing goes in as empty text.
    /// </summary>
    private static void Bind(SqliteRow statement, ColumnBuffer column, int c, int first, int count)
    {
        var type = column.Column.Type;
        for (var r = 0; r < count; r++)
        {
            statement.Row = r;
            var row = first + r;
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
    /// Loads the rows kept, from the staged Parquet file at <paramref name="path"/>, into the table, inside the
    /// transaction the import session began on its connection.
    /// </summary>
    public async Task<long> LoadIntoTableAsync(IBucket bucket, string path, CancellationToken cancellationToken)
    {
        if (_db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Load inside a transaction.");
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
        long loaded = 0;
        using var many = new SqliteRow(_connection, $"main.{_table}", _names, RowsPerStatement);
        using var one = new SqliteRow(_connection, $"main.{_table}", _names, 1);
        // the next row group is decoded while this one is inserted
        await DatasetFiles.ReadAheadAsync(bucket, path, _schema, (columns, count) =>
        {
            var first = 0;
            for (; first + RowsPerStatement <= count; first += RowsPerStatement)
            {
                Insert(many, columns, first, RowsPerStatement);
            }

            for (; first < count; first++)
            {
                Insert(one, columns, first, 1);
            }

            loaded += count;
        }, cancellationToken);

        if (indexes.Count > 0)
        {
            // SQLite may sort each index's keys with helper threads (measured: 1.7-2.2 s against 2.4-2.9 s for three
            // indexes over a million rows on 2 cores); back to none when the import session ends.
            var helpers = Math.Clamp(Environment.ProcessorCount, 1, 4).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await _db.ExecuteAsync($"PRAGMA threads={helpers}", [], cancellationToken);
            foreach (var (_, sql) in indexes)
            {
                await _db.ExecuteAsync(sql, [], cancellationToken);
            }
        }

        return loaded;
    }

    /// <summary>Binds and runs <paramref name="count"/> rows of a batch from <paramref name="first"/>, a column at a time.</summary>
    private static void Insert(SqliteRow statement, ColumnBuffer[] columns, int first, int count)
    {
        for (var c = 0; c < columns.Length; c++)
        {
            Bind(statement, columns[c], c, first, count);
        }

        statement.Execute();
    }

    /// <summary>Drops the stage and its log; the connection stays the session's.</summary>
    public async ValueTask DisposeAsync()
    {
        _log.Dispose();
        _transaction?.Dispose();
        _full?.Dispose();
        _one?.Dispose();
        _find?.Dispose();
        _replace?.Dispose();
        if (_connection.State == System.Data.ConnectionState.Open)
        {
            await _db.ExecuteAsync($"DROP TABLE IF EXISTS {Stage}", [], CancellationToken.None);
        }
    }
}

/// <summary>What became of a staged row's key.</summary>
internal enum StageState
{
    /// <summary>Seen in a row that was dropped for a missing value: a later row with the key may still take it.</summary>
    Seen = 0,

    /// <summary>Taken by a row that is kept: it goes into the table.</summary>
    Kept = 1,

    /// <summary>Taken by a row whose key the table already has: not loaded, and later rows with the key are dropped.</summary>
    Stored = 2,
}
