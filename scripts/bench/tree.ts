import { Types } from 'mongoose'
import type { ServiceContext } from '../../server/src/context.ts'
import { emailKey, handleKey } from '../../server/src/modules/accounts/lookup.ts'
import type { MemberDoc } from '../../server/src/modules/accounts/model.ts'
import { entryId } from '../../server/src/modules/referrals/model.ts'
import { levelKey } from '../../server/src/modules/referrals/index.ts'

export type TreeNode = { _id: Types.ObjectId; upline: Types.ObjectId[]; upSeqs: number[]; depth: number; counts: Map<number, number>; total: number }

/**
 * Writes a join graph of `size` members below `root` straight through the driver, exactly as
 * the live join code would have left it (upline, depth, counters, level-list entries, keys).
 * `pickParent` chooses each new member's sponsor among the nodes so far (deterministic).
 */
export async function buildTree(
  ctx: ServiceContext,
  root: Pick<MemberDoc, '_id' | 'upline' | 'depth'>,
  size: number,
  pickParent: (i: number, nodes: TreeNode[], random: () => number) => TreeNode,
  prefix = 'b',
): Promise<{ nodes: TreeNode[]; byId: Map<string, TreeNode>; entries: number }> {
  const { models } = ctx
  const nodes: TreeNode[] = [{ _id: root._id, upline: root.upline, upSeqs: [], depth: root.depth, counts: new Map(), total: 0 }]
  const byId = new Map<string, TreeNode>([[root._id.toString(), nodes[0]!]])
  // Ancestors above `root` count the new subtree too; their list numbers continue after what they have.
  const above = await Promise.all(root.upline.map((id) => models.Member.findById(id, { downlineSeq: 1 }).lean()))
  const seqBase = above.map((a) => ({ ...((a?.downlineSeq ?? {}) as Record<string, number>) }))
  let seed = 42
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
  for (let i = 1; i <= size; i++) {
    const parent = pickParent(i, nodes, random)
    const node: TreeNode = {
      _id: new Types.ObjectId(),
      upline: [parent._id, ...parent.upline],
      upSeqs: [],
      depth: parent.depth + 1,
      counts: new Map(),
      total: 0,
    }
    node.upline.forEach((ancestorId, k) => {
      const inside = byId.get(ancestorId.toString())
      if (inside) {
        // The subtree is new, so list numbers equal the counts.
        const count = (inside.counts.get(k + 1) ?? 0) + 1
        inside.counts.set(k + 1, count)
        inside.total++
        node.upSeqs.push(count)
      } else {
        const j = root.upline.findIndex((id) => id.equals(ancestorId))
        const key = levelKey(k + 1)
        seqBase[j]![key] = (seqBase[j]![key] ?? 0) + 1
        node.upSeqs.push(seqBase[j]![key]!)
      }
    })
    nodes.push(node)
    byId.set(node._id.toString(), node)
  }
  const counters = (n: TreeNode) => Object.fromEntries([...n.counts].map(([level, count]) => [levelKey(level), count]))
  const docs = nodes.slice(1).map((n, i) => ({
    _id: n._id,
    handle: `${prefix}${i}`,
    email: `${prefix}${i}@bench.invalid`,
    passwordHash: null,
    displayName: `Bench ${i}`,
    role: 'partner',
    isRoot: false,
    sponsorId: n.upline[0],
    upline: n.upline,
    depth: n.depth,
    downline: counters(n),
    downlineSeq: counters(n),
    downlineTotal: n.total,
    upSeqs: n.upSeqs,
    createdAt: new Date(),
    updatedAt: new Date(),
  }))
  for (let i = 0; i < docs.length; i += 2000) await models.Member.collection.insertMany(docs.slice(i, i + 2000) as never[], { ordered: false })
  const keys = docs.flatMap((d) => [
    { _id: handleKey(d.handle), memberId: d._id },
    { _id: emailKey(d.email), memberId: d._id },
  ])
  for (let i = 0; i < keys.length; i += 4000) await models.Key.collection.insertMany(keys.slice(i, i + 4000) as never[], { ordered: false })
  // The root of the subtree and everyone above it count the new members.
  const rootNode = nodes[0]!
  await models.Member.updateOne(
    { _id: root._id },
    {
      $inc: Object.fromEntries(
        [...rootNode.counts]
          .flatMap(([l, c]) => [
            [`downline.${levelKey(l)}`, c],
            [`downlineSeq.${levelKey(l)}`, c],
          ])
          .concat([['downlineTotal', rootNode.total]]),
      ),
    },
  )
  for (const [j, ancestorId] of root.upline.entries()) {
    const inc: Record<string, number> = { downlineTotal: size }
    for (const n of nodes.slice(1)) {
      const k = n.upline.findIndex((id) => id.equals(ancestorId))
      const key = levelKey(k + 1)
      inc[`downline.${key}`] = (inc[`downline.${key}`] ?? 0) + 1
    }
    await models.Member.updateOne(
      { _id: ancestorId },
      { $inc: inc, $set: Object.fromEntries(Object.entries(seqBase[j]!).map(([k, v]) => [`downlineSeq.${k}`, v])) },
    )
  }
  let batch: Array<{ _id: string; m: Types.ObjectId }> = []
  let entries = 0
  for (const n of nodes.slice(1)) {
    n.upline.forEach((ancestor, k) => batch.push({ _id: entryId(ancestor, k + 1, n.upSeqs[k]!), m: n._id }))
    if (batch.length >= 5000) {
      await models.DownlineEntry.collection.insertMany(batch as never[], { ordered: false })
      entries += batch.length
      batch = []
    }
  }
  if (batch.length) await models.DownlineEntry.collection.insertMany(batch as never[], { ordered: false })
  entries += batch.length
  return { nodes, byId, entries }
}
