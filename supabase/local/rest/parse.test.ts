import { describe, expect, it } from 'vitest'
import { PostgrestError } from './errors.ts'
import { parseFilter, parseLogic } from './parse-filter.ts'
import { parseOrder, parseSelect } from './parse-select.ts'
import { Params, whereSql } from './sql.ts'

const sql = (key: string, value: string) => {
  const params = new Params()
  const condition =
    key === 'or' || key === 'and' || key.startsWith('not.') ? parseLogic(key, value) : parseFilter(key, value)
  return { text: whereSql([condition], params), values: params.values }
}
const rejects = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(PostgrestError)
    expect((error as PostgrestError).status).toBe(400)
    return
  }
  throw new Error('expected a 400')
}

describe('query grammar → SQL', () => {
  it('binds every value and quotes every identifier', () => {
    expect(sql('title', 'eq.x"; drop table t; --')).toEqual({
      text: ' where ("_t"."title" = $1)',
      values: ['x"; drop table t; --'],
    })
    expect(sql('"we\\"ird"', 'eq.1').text).toBe(' where ("_t"."we""ird" = $1)')
  })

  it('parses in-lists with quoted items, like wildcards and is', () => {
    expect(sql('t', 'in.(a,"b,c",d)')).toEqual({
      text: ' where ("_t"."t" in ($1, $2, $3))',
      values: ['a', 'b,c', 'd'],
    })
    expect(sql('t', 'like.*milk*').values).toEqual(['%milk%'])
    expect(sql('t', 'not.is.null').text).toBe(' where not ("_t"."t" is null)')
    expect(sql('t', 'ilike(any).{a*,b*}')).toEqual({
      text: ' where ("_t"."t"::text ilike any($1::text[]))',
      values: [['a%', 'b%']],
    })
    expect(sql('t', 'fts(english).cat').text).toBe(' where ("_t"."t" @@ to_tsquery($1::regconfig, $2))')
  })

  it('parses JSON paths, keeping integer keys as array indexes', () => {
    expect(sql('data->items->0->>name', 'eq.x')).toEqual({
      text: ' where (((("_t"."data" -> $1::text) -> $2::int) ->> $3::text) = $4)',
      values: ['items', 0, 'name', 'x'],
    })
  })

  it('parses nested logic trees with quoted values', () => {
    const { text, values } = sql('or', '(a.eq.1,and(b.gt.2,c.not.in.(x,"y)")),d.eq."q,r")')
    expect(text).toBe(
      ' where (("_t"."a" = $1) or (("_t"."b" > $2) and not ("_t"."c" in ($3, $4))) or ("_t"."d" = $5))',
    )
    expect(values).toEqual(['1', '2', 'x', 'y)', 'q,r'])
    expect(sql('not.and', '(a.eq.1,b.eq.2)').text).toBe(' where not (("_t"."a" = $1) and ("_t"."b" = $2))')
  })

  it('parses select items and order terms', () => {
    expect(parseSelect('id,label:title,data->>status::int,"my col"')).toEqual([
      { kind: 'column', column: { name: 'id', path: [] } },
      { kind: 'column', column: { name: 'title', path: [] }, alias: 'label' },
      { kind: 'column', column: { name: 'data', path: [{ arrow: '->>', key: 'status' }] }, cast: 'int' },
      { kind: 'column', column: { name: 'my col', path: [] } },
    ])
    expect(parseSelect('name,boss:people!manager_id!inner(name,team:teams(*))')).toEqual([
      { kind: 'column', column: { name: 'name', path: [] } },
      {
        kind: 'embed',
        name: 'people',
        alias: 'boss',
        hint: 'manager_id',
        inner: true,
        select: [
          { kind: 'column', column: { name: 'name', path: [] } },
          { kind: 'embed', name: 'teams', alias: 'team', inner: false, select: [{ kind: 'star' }] },
        ],
      },
    ])
    expect(parseOrder('a.desc.nullslast,b')).toEqual([
      { column: { name: 'a', path: [] }, descending: true, nulls: 'last' },
      { column: { name: 'b', path: [] }, descending: false },
    ])
  })

  it('refuses what it cannot parse with 400', () => {
    rejects(() => parseFilter('a', 'eq'))
    rejects(() => parseFilter('a', 'between.1'))
    rejects(() => parseFilter('a', 'in.1,2'))
    rejects(() => parseFilter('a.b', 'eq.1'))
    rejects(() => parseFilter('a', 'like(some).x'))
    rejects(() => parseLogic('or', 'a.eq.1'))
    rejects(() => parseLogic('or', '(a.eq.1,(b)'))
    rejects(() => parseLogic('or', '(a)'))
    rejects(() => parseSelect('id,owner(name'))
    rejects(() => parseSelect('id,a!b!c(name)'))
    rejects(() => parseSelect('id::int;drop'))
    rejects(() => parseOrder('a.asc.desc'))
  })
})
