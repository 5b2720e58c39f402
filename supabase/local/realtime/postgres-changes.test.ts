import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asRole } from '../as-role.ts'
import { eventually, sleep, startStack, subscribe, type TestStack } from './test-support.ts'
import { TENANT_A, TENANT_B, USER_A, USER_A2, USER_B } from './two-tenants.ts'

type Change = { eventType: string; new: Record<string, unknown>; old: Record<string, unknown>; table: string }

describe('postgres_changes through supabase-js', () => {
  let stack: TestStack
  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(() => stack.close())

  async function listen(
    token: string | undefined,
    name: string,
    event: '*' | 'INSERT' | 'UPDATE' | 'DELETE',
    filter?: string,
  ) {
    const supabase = await stack.client(token)
    const received: Change[] = []
    const channel = supabase
      .channel(name)
      .on(
        'postgres_changes',
        { event, schema: 'public', table: 'notes', ...(filter ? { filter } : {}) },
        (change) => received.push(change as unknown as Change),
      )
    expect(await subscribe(channel)).toEqual({ status: 'SUBSCRIBED' })
    return received
  }

  it('delivers INSERT, UPDATE and DELETE made by plain SQL only to members of the row tenant', async () => {
    const a = await listen(await stack.tokenFor(USER_A), 'a-all', '*')
    const b = await listen(await stack.tokenFor(USER_B), 'b-all', '*')
    const anon = await listen(undefined, 'anon-all', '*')

    const inserted = await stack.db.query<{ id: string }>(
      `insert into public.notes (tenant_id, body, priority) values ($1, 'for A', 3) returning id::text`,
      [TENANT_A],
    )
    const id = Number(inserted.rows[0]?.id)
    await stack.db.query(`update public.notes set done = true where id = $1`, [id])
    await stack.db.query(`delete from public.notes where id = $1`, [id])

    await eventually(() => (a.length === 3 ? true : undefined), 5_000, 'three changes for tenant A')
    expect(a.map((change) => change.eventType)).toEqual(['INSERT', 'UPDATE', 'DELETE'])
    expect(a[0]?.new).toMatchObject({ id, tenant_id: TENANT_A, body: 'for A', priority: 3, done: false })
    expect(a[1]?.new).toMatchObject({ id, done: true })
    expect(a[1]?.old).toEqual({ id })
    // Supabase sends only the primary key of a deleted row of an RLS table.
    expect(a[2]?.old).toEqual({ id })
    expect(a[2]?.new).toEqual({})

    await sleep(300)
    expect(b).toEqual([])
    expect(anon).toEqual([])
  })

  it('delivers tenant B its own rows and never tenant A rows', async () => {
    const b = await listen(await stack.tokenFor(USER_B), 'b-insert', 'INSERT')
    await stack.db.query(
      `insert into public.notes (tenant_id, body) values ($1, 'secret of A'), ($2, 'for B')`,
      [TENANT_A, TENANT_B],
    )
    await eventually(() => (b.length >= 1 ? true : undefined), 5_000, 'the row of tenant B')
    await sleep(300)
    expect(b.map((change) => change.new.body)).toEqual(['for B'])
  })

  it('sees rows written by an authenticated user through RLS, not only by the owner', async () => {
    const a = await listen(await stack.tokenFor(USER_A), 'a-user-writes', 'INSERT', 'body=eq.written by A2')
    const b = await listen(await stack.tokenFor(USER_B), 'b-user-writes', 'INSERT', 'body=eq.written by A2')
    await asRole(stack.db, { role: 'authenticated', sub: USER_A2 }, (tx) =>
      tx.query(`insert into public.notes (tenant_id, body) values ($1, 'written by A2')`, [TENANT_A]),
    )
    await eventually(() => a[0], 5_000, 'the row written by A2')
    await sleep(300)
    expect(b).toEqual([])
  })

  it('applies eq, neq, lt, lte, gt, gte and in filters', async () => {
    const token = await stack.tokenFor(USER_A)
    const filters = {
      eq: 'priority=eq.5',
      neq: 'priority=neq.5',
      lt: 'priority=lt.5',
      lte: 'priority=lte.5',
      gt: 'priority=gt.5',
      gte: 'priority=gte.5',
      in: 'priority=in.(1,9)',
      quoted: 'body=eq."hello, world"',
      and: 'priority=gt.1,priority=lt.9',
    }
    const lists = Object.fromEntries(
      await Promise.all(
        Object.entries(filters).map(
          async ([name, filter]) => [name, await listen(token, `filter-${name}`, 'INSERT', filter)] as const,
        ),
      ),
    )
    await stack.db.query(
      `insert into public.notes (tenant_id, body, priority) values ($1, 'p1', 1), ($1, 'p5', 5), ($1, 'p9', 9), ($1, 'hello, world', 7)`,
      [TENANT_A],
    )
    const bodies = (name: string) => (lists[name] ?? []).map((change) => change.new.body).sort()
    await eventually(() => (bodies('neq').length === 3 ? true : undefined), 5_000, 'neq deliveries')
    await sleep(300)
    expect(bodies('eq')).toEqual(['p5'])
    expect(bodies('neq')).toEqual(['hello, world', 'p1', 'p9'])
    expect(bodies('lt')).toEqual(['p1'])
    expect(bodies('lte')).toEqual(['p1', 'p5'])
    expect(bodies('gt')).toEqual(['hello, world', 'p9'])
    expect(bodies('gte')).toEqual(['hello, world', 'p5', 'p9'])
    expect(bodies('in')).toEqual(['p1', 'p9'])
    expect(bodies('quoted')).toEqual(['hello, world'])
    expect(bodies('and')).toEqual(['hello, world', 'p5'])
  })

  it('matches event types and routes several bindings of one channel by id', async () => {
    const supabase = await stack.client(await stack.tokenFor(USER_A))
    const inserts: Change[] = []
    const updates: Change[] = []
    const channel = supabase
      .channel('two-bindings')
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes' }, (c) =>
        inserts.push(c as unknown as Change),
      )
      .on(
        'postgres_changes',
        { event: 'UPDATE', schema: 'public', table: 'notes', filter: 'priority=eq.42' },
        (c) => updates.push(c as unknown as Change),
      )
    expect(await subscribe(channel)).toEqual({ status: 'SUBSCRIBED' })
    const row = await stack.db.query<{ id: string }>(
      `insert into public.notes (tenant_id, body) values ($1, 'routed') returning id::text`,
      [TENANT_A],
    )
    await stack.db.query(`update public.notes set priority = 41 where id = $1`, [row.rows[0]?.id])
    await stack.db.query(`update public.notes set priority = 42 where id = $1`, [row.rows[0]?.id])
    await eventually(() => (updates.length === 1 ? true : undefined), 5_000, 'the filtered update')
    await sleep(200)
    expect(inserts.map((c) => c.new.body)).toEqual(['routed'])
    expect(updates.map((c) => c.new.priority)).toEqual([42])
  })

  it('sees tables added to the publication after start, and a rejoined client gets later changes', async () => {
    await stack.db.exec(`
      create table public.open_board (id int primary key, title text);
      grant select on public.open_board to anon, authenticated;
      alter publication supabase_realtime add table public.open_board;`)
    const supabase = await stack.client()
    const seen: Change[] = []
    const open = () =>
      supabase
        .channel('board')
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'open_board' }, (c) =>
          seen.push(c as unknown as Change),
        )
    let channel = open()
    expect(await subscribe(channel)).toEqual({ status: 'SUBSCRIBED' })
    await stack.db.query(`insert into public.open_board values (1, 'first')`)
    await eventually(() => (seen.length === 1 ? true : undefined), 5_000, 'first board row')
    await supabase.removeChannel(channel)
    // The client does not wait for the leave reply (wire §1.11): let the server see it first.
    await sleep(300)
    await stack.db.query(`insert into public.open_board values (2, 'while away')`)
    channel = open()
    expect(await subscribe(channel)).toEqual({ status: 'SUBSCRIBED' })
    await stack.db.query(`insert into public.open_board values (3, 'after rejoin')`)
    await eventually(
      () => (seen.some((c) => c.new.title === 'after rejoin') ? true : undefined),
      5_000,
      'row after rejoin',
    )
    // As on Supabase, a change committed while the join is under way may or may not be sent
    // (the server only orders joins against notifications as they arrive); later ones always are.
    const titles = seen.map((c) => c.new.title)
    expect(titles[0]).toBe('first')
    expect(titles.at(-1)).toBe('after rejoin')
    expect(seen[0]?.new).toEqual({ id: 1, title: 'first' })
  })

  it('applies restrictive policies, shows REPLICA IDENTITY FULL old rows and reads back rows too big for NOTIFY', async () => {
    await stack.db.exec(`
      create table public.docs (id int primary key, tenant_id uuid not null, archived boolean not null default false, body text);
      alter table public.docs enable row level security;
      alter table public.docs replica identity full;
      create policy "Members read their tenant's docs" on public.docs for select to authenticated
        using (tenant_id in (select m.tenant_id from public.members m where m.user_id = (select auth.uid())));
      create policy "Archived docs are hidden" on public.docs as restrictive for select to authenticated
        using (not archived);
      grant select on public.docs to authenticated;
      alter publication supabase_realtime add table public.docs;`)
    const supabase = await stack.client(await stack.tokenFor(USER_A))
    const seen: Change[] = []
    const channel = supabase
      .channel('docs')
      .on('postgres_changes', { event: '*', schema: 'public', table: 'docs' }, (c) =>
        seen.push(c as unknown as Change),
      )
    expect(await subscribe(channel)).toEqual({ status: 'SUBSCRIBED' })
    const big = 'x'.repeat(10_000)
    await stack.db.query(`insert into public.docs (id, tenant_id, body) values (1, $1, 'small')`, [TENANT_A])
    await stack.db.query(`update public.docs set body = $1 where id = 1`, [big])
    // The big row is read back when handled: let that happen before the row changes again.
    await eventually(() => (seen.length === 2 ? true : undefined), 5_000, 'the big update')
    await stack.db.query(`update public.docs set archived = true where id = 1`)
    await stack.db.query(`insert into public.docs (id, tenant_id, body) values (2, $1, 'last')`, [TENANT_A])
    await eventually(() => (seen.some((c) => c.new.id === 2) ? true : undefined), 5_000, 'the last insert')
    expect(seen.map((c) => `${c.eventType} ${c.new.id}`)).toEqual(['INSERT 1', 'UPDATE 1', 'INSERT 2'])
    expect(seen[1]?.new.body).toBe(big)
    // REPLICA IDENTITY FULL: the whole old row (here the old row is small enough to travel).
    expect(seen[1]?.old).toMatchObject({ id: 1, body: 'small', archived: false })
  })

  it('treats a policy that raises for one subscriber as not visible to that one only', async () => {
    await stack.db.exec(`
      create function public.refuse_a2() returns boolean language plpgsql stable as $$
      begin
        if (select auth.uid()) = '${USER_A2}' then raise exception 'not for you'; end if;
        return true;
      end $$;
      create table public.guarded (id int primary key, note text);
      alter table public.guarded enable row level security;
      create policy "Guarded rows" on public.guarded for select to authenticated using (public.refuse_a2());
      grant select on public.guarded to authenticated;
      alter publication supabase_realtime add table public.guarded;`)
    const received = async (user: string) => {
      const supabase = await stack.client(await stack.tokenFor(user))
      const seen: Change[] = []
      const channel = supabase
        .channel(`guarded-${user}`)
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'guarded' }, (c) =>
          seen.push(c as unknown as Change),
        )
      expect(await subscribe(channel)).toEqual({ status: 'SUBSCRIBED' })
      return seen
    }
    const a = await received(USER_A)
    const a2 = await received(USER_A2)
    const b = await received(USER_B)
    await stack.db.query(`insert into public.guarded values (1, 'hello')`)
    await eventually(() => (a.length === 1 && b.length === 1 ? true : undefined), 5_000, 'A and B receive')
    await sleep(300)
    expect(a2).toEqual([])
  })

  it('rejoins after a dropped connection and receives later changes', async () => {
    const supabase = await stack.client(await stack.tokenFor(USER_A))
    const statuses: string[] = []
    const seen: Change[] = []
    supabase
      .channel('survivor')
      .on(
        'postgres_changes',
        { event: 'INSERT', schema: 'public', table: 'notes', filter: 'body=eq.after-drop' },
        (c) => seen.push(c as unknown as Change),
      )
      .subscribe((status) => statuses.push(status))
    await eventually(() => (statuses.includes('SUBSCRIBED') ? true : undefined), 5_000, 'subscribed')
    stack.dropSockets()
    await eventually(() => (statuses.includes('CHANNEL_ERROR') ? true : undefined), 5_000, 'error on drop')
    // realtime-js reconnects after 1 s and rejoins with a new join_ref; the reply re-binds the ids.
    await eventually(
      () => (statuses.lastIndexOf('SUBSCRIBED') > statuses.indexOf('CHANNEL_ERROR') ? true : undefined),
      10_000,
      'rejoined',
    )
    await stack.db.query(`insert into public.notes (tenant_id, body) values ($1, 'after-drop')`, [TENANT_A])
    await eventually(() => seen[0], 5_000, 'change after rejoin')
    expect(seen).toHaveLength(1)
  })

  it('reports a bad filter as a system message and keeps the channel open', async () => {
    const supabase = await stack.client(await stack.tokenFor(USER_A))
    const system: { status: string; message: string }[] = []
    const channel = supabase
      .channel('bad-filter')
      .on(
        'postgres_changes',
        { event: '*', schema: 'public', table: 'notes', filter: 'priority=between.1' },
        () => {},
      )
      .on('system', {}, (message) => system.push(message as { status: string; message: string }))
    expect(await subscribe(channel)).toEqual({ status: 'SUBSCRIBED' })
    const message = await eventually(() => system[0], 5_000, 'system message')
    expect(message.status).toBe('error')
    expect(message.message).toMatch(/^Error parsing `filter` params/)
    expect(channel.state).toBe('joined')
  })
})
