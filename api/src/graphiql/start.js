// Starts GraphiQL on the element #graphiql. Kept in a file of its own (not inline) so
// that the page runs under `Content-Security-Policy: default-src 'self'`.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var endpoint = root.getAttribute('data-endpoint');
  // Subscriptions go over graphql-transport-ws on the same path (GraphiQL bundles
  // graphql-ws); the Headers tab's values become the connection_init payload, so an
  // `Authorization: Bearer …` typed there authenticates the socket too.
  var socket = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + endpoint;
  var fetcher = GraphiQL.createFetcher({ url: endpoint, subscriptionUrl: socket });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      // The Authorization header typed into the Headers tab survives a reload.
      shouldPersistHeaders: true,
    })
  );
})();
