//! Asks many small questions of the database as one statement.
//!
//! Under load, the hot paths (is this token revoked, which grant does this refresh token belong
//! to, spend these refresh tokens) were a statement each, and the statements' fixed costs — a
//! round trip on PostgreSQL, two thread hand-offs on SQLite — cost more CPU than the answers.
//! A [`Coalescer`] answers the questions waiting at any moment together, with one statement,
//! from a given number of tasks (the callers use one: while its statement runs, the next batch
//! gathers). Nothing is cached or delayed: a question is only answered by a statement that
//! started after it was asked, so it sees everything committed before it, exactly as its own
//! statement would have. On an idle server a lone question goes at once; one that arrives
//! while a batch is in flight waits for it, the price paid at light load for the throughput
//! under heavy load (figures in the README).

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

use super::DbError;

type Reply<A> = oneshot::Sender<Result<A, BatchFailure>>;
/// The queue of waiting questions, shared by the tasks taking turns at it.
type SharedQueue<Q, A> = Arc<Mutex<mpsc::Receiver<(Q, Reply<A>)>>>;

/// Answers questions of type `Q` with answers of type `A`, in batches.
pub struct Coalescer<Q, A> {
    queue: mpsc::Sender<(Q, Reply<A>)>,
}

impl<Q, A> Clone for Coalescer<Q, A> {
    fn clone(&self) -> Self {
        Coalescer {
            queue: self.queue.clone(),
        }
    }
}

impl<Q: Send + 'static, A: Send + 'static> Coalescer<Q, A> {
    /// Starts `workers` tasks, each answering up to `max_batch` questions per call of `answer`,
    /// which must return one answer per question, in order. The tasks end when every copy of
    /// the coalescer is dropped.
    pub fn start<F, Fut>(workers: usize, max_batch: usize, answer: F) -> Self
    where
        F: Fn(Vec<Q>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<A>, DbError>> + Send + 'static,
    {
        let (queue, receiver) = mpsc::channel(4 * max_batch);
        let receiver = Arc::new(Mutex::new(receiver));
        let answer = Arc::new(answer);
        for _ in 0..workers.max(1) {
            tokio::spawn(work(receiver.clone(), answer.clone(), max_batch));
        }
        Coalescer { queue }
    }

    /// Asks one question; answered with the batch it joins.
    pub async fn ask(&self, question: Q) -> Result<A, DbError> {
        let closed = || DbError::Query(sqlx::Error::PoolClosed);
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((question, reply))
            .await
            .map_err(|_| closed())?;
        answer
            .await
            .map_err(|_| closed())?
            .map_err(|failure| match failure {
                // Every asker learns the database is unreachable, so each request ends with 503.
                BatchFailure::Unreachable => DbError::Query(sqlx::Error::PoolTimedOut),
                BatchFailure::Other(message) => DbError::Query(sqlx::Error::Protocol(message)),
            })
    }
}

/// Why a batch went unanswered, told to each of its askers.
#[derive(Debug, Clone)]
pub enum BatchFailure {
    /// No connection could be had, or it broke.
    Unreachable,
    Other(String),
}

async fn work<Q, A, F, Fut>(receiver: SharedQueue<Q, A>, answer: Arc<F>, max_batch: usize)
where
    F: Fn(Vec<Q>) -> Fut,
    Fut: Future<Output = Result<Vec<A>, DbError>>,
{
    let mut batch = Vec::with_capacity(max_batch);
    loop {
        // Held only while gathering, so another task gathers while this one asks.
        let received = receiver.lock().await.recv_many(&mut batch, max_batch).await;
        if received == 0 {
            return;
        }
        let (questions, replies): (Vec<Q>, Vec<Reply<A>>) = batch.drain(..).unzip();
        let asked = questions.len();
        let answers = match answer(questions).await {
            Ok(answers) if answers.len() == asked => Ok(answers),
            Ok(answers) => Err(BatchFailure::Other(format!(
                "{} answers to {asked} questions",
                answers.len()
            ))),
            Err(e) => {
                let e = anyhow::Error::from(e);
                Err(if super::unreachable(&e) {
                    BatchFailure::Unreachable
                } else {
                    BatchFailure::Other(format!("{e:#}"))
                })
            }
        };
        match answers {
            Ok(answers) => {
                for (reply, a) in replies.into_iter().zip(answers) {
                    let _ = reply.send(Ok(a));
                }
            }
            Err(message) => {
                for reply in replies {
                    let _ = reply.send(Err(message.clone()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_each_question_with_its_own_answer_under_concurrency() {
        let doubler = Coalescer::start(2, 8, |questions: Vec<u32>| async move {
            Ok(questions.into_iter().map(|q| q * 2).collect())
        });
        let asks = (0..100u32).map(|q| {
            let doubler = doubler.clone();
            tokio::spawn(async move { (q, doubler.ask(q).await.unwrap()) })
        });
        for ask in asks {
            let (q, a) = ask.await.unwrap();
            assert_eq!(a, q * 2);
        }
    }

    #[tokio::test]
    async fn a_failed_or_short_batch_fails_its_questions() {
        let failing = Coalescer::start(1, 8, |_: Vec<u32>| async move {
            Err::<Vec<u32>, _>(DbError::Query(sqlx::Error::RowNotFound))
        });
        assert!(failing.ask(1).await.is_err());
        let short = Coalescer::start(1, 8, |_: Vec<u32>| async move { Ok(Vec::<u32>::new()) });
        assert!(short.ask(1).await.is_err());
    }
}
