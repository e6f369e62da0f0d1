// Runs typed operations with Apollo Client 3 the way the sales app does: an auth link,
// automatic persisted queries (hashed GETs), and relay-style pagination through
// fetchMore. Prints one JSON line with what it saw; tests/api/clients.rs asserts on it.
//
// Usage: node dist/run.js <graphql url> <access token>

import { createHash } from 'node:crypto';

import { ApolloClient, HttpLink, InMemoryCache, from } from '@apollo/client/core/index.js';
import { setContext } from '@apollo/client/link/context/index.js';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries/index.js';
import { relayStylePagination } from '@apollo/client/utilities/index.js';

import { graphql } from './gql/index.js';

const MeQuery = graphql(`
  query Me {
    me {
      id
      email
      role
    }
  }
`);

const OpportunitiesQuery = graphql(`
  query Opportunities($first: Int!, $after: String) {
    opportunities(first: $first, after: $after, orderBy: { field: NAME, direction: ASC }) {
      totalCount
      edges {
        cursor
        node {
          id
          name
          stage
          amount
          owner {
            name
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

async function main(): Promise<void> {
  const [url, token] = process.argv.slice(2);
  if (!url || !token) throw new Error('usage: run.js <url> <token>');

  const auth = setContext((_, { headers }) => ({
    headers: { ...headers, authorization: `Bearer ${token}` },
  }));
  const apq = createPersistedQueryLink({
    sha256: (query: string) => createHash('sha256').update(query).digest('hex'),
    useGETForHashedQueries: true,
  });
  const client = new ApolloClient({
    link: from([auth, apq, new HttpLink({ uri: url })]),
    cache: new InMemoryCache({
      typePolicies: { Query: { fields: { opportunities: relayStylePagination() } } },
    }),
  });

  const me = await client.query({ query: MeQuery });
  // The generated types: `role` is the schema's enum, `email` a string.
  const email: string = me.data.me.email;

  // Page through every opportunity two at a time; the relay policy merges the pages.
  const pageSize = 2;
  const watch = client.watchQuery({ query: OpportunitiesQuery, variables: { first: pageSize } });
  let data = (await watch.result()).data;
  let pages = 1;
  while (data.opportunities?.pageInfo.hasNextPage) {
    const after = data.opportunities.pageInfo.endCursor;
    await watch.fetchMore({ variables: { first: pageSize, after } });
    data = watch.getCurrentResult().data;
    pages += 1;
    if (pages > 50) throw new Error('pagination did not end');
  }
  const ids = (data.opportunities?.edges ?? []).map((e) => e.node.id);
  console.log(
    JSON.stringify({
      email,
      role: me.data.me.role,
      total: data.opportunities?.totalCount ?? null,
      pages,
      ids,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
