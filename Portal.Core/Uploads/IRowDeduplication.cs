namespace Portal.Core.Uploads;

/// <summary>
/// How an import drops rows equal to earlier ones, or whose key is already kept or stored: one strategy per kind of
/// dataset (<see cref="RowDeduplication.For"/>). The reader admits each parsed row; the writer settles each batch, in
/// file order, against the keys the dataset's table already has. Each counts what it drops in the counts it is given.
/// </summary>
internal interface IRowDeduplication
{
    /// <summary>The reader's decision on row <paramref name="row"/> of the batch: false drops it (counted), true hands it to the writer.</summary>
    bool Admit(ImportBatch batch, int row, UInt128 rowHash, bool anyRequiredMissing, DropCounts counts);

    /// <summary>
    /// The writer's decision on the batch's rows, whose keys are <paramref name="keys"/>, knowing which of them the
    /// table has (<paramref name="inTable"/>): clears <paramref name="keep"/> for the rows dropped (counted).
    /// </summary>
    void Settle(ImportBatch batch, Int64Column keys, HashSet<long> inTable, bool[] keep, DropCounts counts);
}
