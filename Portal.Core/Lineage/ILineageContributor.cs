namespace Portal.Core.Lineage;

/// <summary>
/// A seam for parts of the lineage that other features own (uploaded datasets, later): adds nodes and edges to the
/// graph being built. Edges to nodes that do not exist are dropped and reported as problems.
/// </summary>
public interface ILineageContributor
{
    Task ContributeAsync(ICollection<LineageNode> nodes, ICollection<LineageEdge> edges, CancellationToken cancellationToken);
}
