# syntax=docker/dockerfile:1
# Build stage: compile TypeScript to dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci --no-audit --no-fund

# Runtime stage: production dependencies only, compiled code, migrations, examples and templates.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the prepare script compiles TypeScript, which the build stage has done already.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY drizzle ./drizzle
COPY examples ./examples
COPY templates ./templates
COPY manifest.yml ./
# PGlite keeps its data here when DATABASE_URL is not set; mount a volume to keep it.
RUN mkdir -p /app/.callboard && chown node:node /app/.callboard
USER node
ENV CALLBOARD_DATA_DIR=/app/.callboard/data
ENTRYPOINT ["node", "bin/callboard.js"]
CMD ["start"]
