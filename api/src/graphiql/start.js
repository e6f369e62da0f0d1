// Starts GraphiQL on the element #graphiql. Kept in a file of its own (not inline) so
// that the page runs under `Content-Security-Policy: default-src 'self'`.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var fetcher = GraphiQL.createFetcher({ url: root.getAttribute('data-endpoint') });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      // The Authorization header typed into the Headers tab survives a reload.
      shouldPersistHeaders: true,
    })
  );
})();
