namespace Portal.Core.Rules;

/// <summary>The customer tables a rule's conditions read: what the lineage draws and what an import makes stale.</summary>
public static class RuleTables
{
    public const string Users = "users";
    public const string CreditCard = "credit_card_transactions";
    public const string Upi = "upi_transactions";

    /// <summary>The tables a condition tree reads: users always, each transaction table an aggregate's source names.</summary>
    public static IReadOnlyList<string> Read(ConditionNode root)
    {
        var sources = ConditionTree.All(root).OfType<AggregateCondition>().Select(a => a.Source).ToHashSet();
        var tables = new List<string> { Users };
        if (sources.Contains(TransactionSource.CreditCard) || sources.Contains(TransactionSource.Both))
        {
            tables.Add(CreditCard);
        }

        if (sources.Contains(TransactionSource.Upi) || sources.Contains(TransactionSource.Both))
        {
            tables.Add(Upi);
        }

        return tables;
    }
}
