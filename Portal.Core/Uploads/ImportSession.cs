using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Data;

namespace Portal.Core.Uploads;

/// <summary>
/// One import's database side: its own context and connection, for a dataset loaded into a table on SQLite the key
/// stage on that connection (<see cref="Stage"/>, which the reading de-duplicates against), the connection's settings
/// for the load, and the commit's transaction, all behind <see cref="CommitAsync"/>. Disposing it drops the stage,
/// puts the settings back and closes the connection, whether the import committed or not.
/// </summary>
internal sealed class ImportSession : IAsyncDisposable
{
    private readonly PortalDbContext _db;
    private readonly DatasetSchema _schema;

    private ImportSession(PortalDbContext db, DatasetSchema schema, SqliteTableStage? stage)
    {
        _db = db;
        _schema = schema;
        Stage = stage;
    }

    /// <summary>On SQLite, for a dataset loaded into a table: the keys read so far, on disk. Null elsewhere (keys in memory, rows loaded with SqlBulkCopy).</summary>
    public SqliteTableStage? Stage { get; }

    /// <summary>Opens the session; on SQLite, for a dataset loaded into a table, its connection and the empty stage.</summary>
    public static async Task<ImportSession> OpenAsync(IDbContextFactory<PortalDbContext> dbFactory, DatasetSchema schema, CancellationToken cancellationToken)
    {
        var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        try
        {
            SqliteTableStage? stage = null;
            if (schema.Table is not null && db.Database.IsSqlite() && schema.KeyColumns is [{ Type: ColumnType.Int64, Required: true }])
            {
                await db.Database.OpenConnectionAsync(cancellationToken);
                stage = await SqliteTableStage.CreateAsync(db, schema, cancellationToken);
            }

            return new ImportSession(db, schema, stage);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// One transaction: <paramref name="beforeLoad"/>, then the rows of the staged Parquet file at
    /// <paramref name="rowsToLoad"/> (when not null) into the dataset's table, then <paramref name="afterLoad"/>, then
    /// what the context tracks is saved and the transaction committed. Anything thrown rolls it all back.
    /// </summary>
    public async Task CommitAsync(IBucket bucket, string? rowsToLoad, Func<PortalDbContext, CancellationToken, Task> beforeLoad,
        Func<PortalDbContext, CancellationToken, Task> afterLoad, CancellationToken cancellationToken)
    {
        if (Stage is not null)
        {
            // Foreign keys only switch outside a transaction. The references were checked while reading, and the commit
            // checks the keys referred to once more (once per key instead of once per row inserted, which was two thirds
            // of the load's time); back on when the session ends.
            await _db.ExecuteAsync("PRAGMA foreign_keys=OFF;", [], cancellationToken);
        }

        await using var transaction = await _db.Database.BeginTransactionAsync(cancellationToken);
        await beforeLoad(_db, cancellationToken);
        if (rowsToLoad is not null && _schema.Table is not null)
        {
            if (Stage is not null)
            {
                await Stage.LoadIntoTableAsync(bucket, rowsToLoad, cancellationToken);
            }
            else
            {
                await DatasetLoader.LoadAsync(_db, bucket, rowsToLoad, _schema, cancellationToken);
            }
        }

        await afterLoad(_db, cancellationToken);
        await _db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Stage is not null)
            {
                await Stage.DisposeAsync();
                if (_db.Database.GetDbConnection().State == System.Data.ConnectionState.Open)
                {
                    // the settings the commit and the load changed, as the connection pool hands connections out
                    await _db.ExecuteAsync("PRAGMA foreign_keys=ON;", [], CancellationToken.None);
                    await _db.ExecuteAsync("PRAGMA threads=0;", [], CancellationToken.None);
                }
            }
        }
        finally
        {
            await _db.DisposeAsync();
        }
    }
}
