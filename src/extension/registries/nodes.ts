// The rows of the Registries view, one module per level; imported from here by the rest of the
// extension. nodeBase.ts has the base class and the message (error) rows.
export { MessageNode, Node, type MessageKind } from './nodeBase';
export { RegistryNode } from './registryNode';
export { LoadMoreNode, RepositoryNode } from './repositoryNode';
export { PlatformNode, TagNode, type ImageSummary } from './imageNodes';
export { ConfigNode, LayerNode } from './contentNodes';
