using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Core.Lineage;

/// <summary>
/// Tells <see cref="LineageDataVersion"/> about every write the portal makes through its DbContext: each command that is
/// not a query (inserts, updates, deletes, ExecuteUpdate/ExecuteDelete) once it has run, and each committed transaction
/// (which also covers commands run on the context's connection without EF, such as an upload's bulk load). Counting
/// every write, not only those to the lineage's tables, keeps it simple and never misses one; a needless rebuild of
/// the graph is the only cost.
/// </summary>
public sealed class LineageWriteInterceptor(LineageDataVersion version) : DbCommandInterceptor, IDbTransactionInterceptor
{
    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Seen(command);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Seen(command);
        return ValueTask.FromResult(result);
    }

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Seen(command);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Seen(command);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Seen(command);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Seen(command);
        return ValueTask.FromResult(result);
    }

    void IDbTransactionInterceptor.TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed();

    Task IDbTransactionInterceptor.TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken)
    {
        Committed();
        return Task.CompletedTask;
    }

    private void Committed()
    {
        if (!NotCounting.Value)
        {
            version.Written();
        }
    }

    private void Seen(DbCommand command)
    {
        if (!NotCounting.Value && !IsQuery(command.CommandText))
        {
            version.Written();
        }
    }

    private static readonly AsyncLocal<bool> NotCounting = new();

    /// <summary>
    /// Runs writes that never change the lineage (leases and locks between portal instances, Data Protection keys)
    /// without counting them, or every renewal would make the lineage be built again. Only this call's own flow is
    /// affected: the flag is set inside this async method, so the caller's writes afterwards count as before.
    /// </summary>
    public static async Task<T> NotALineageWriteAsync<T>(Func<Task<T>> write)
    {
        NotCounting.Value = true;
        return await write();
    }

    /// <summary>
    /// <see cref="NotALineageWriteAsync{T}"/> for a synchronous write (the Data Protection key store's): the flag is
    /// put back as it was before returning, since a synchronous method's change would outlive it in the caller's flow.
    /// </summary>
    public static T NotALineageWrite<T>(Func<T> write)
    {
        var before = NotCounting.Value;
        NotCounting.Value = true;
        try
        {
            return write();
        }
        finally
        {
            NotCounting.Value = before;
        }
    }

    /// <summary>A query reads only: EF's start with SELECT; PRAGMA reads settings. Anything else counts as a write.</summary>
    internal static bool IsQuery(string text)
    {
        var t = text.AsSpan().TrimStart();
        return t.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) || t.StartsWith("PRAGMA", StringComparison.OrdinalIgnoreCase);
    }
}
